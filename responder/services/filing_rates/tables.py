"""The rate tables: the filing rate on one day grouped by industry, jurisdiction or hazard
grade, and the overall rate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import Jurisdiction
from responder.rules import Rules
from responder.services.filing_rates.core import Point, Rate, required_enterprises

GROUPINGS = ("industry", "jurisdiction", "grade")
NO_GRADE = "none"


def rates(
    session: Session,
    *,
    by: str,
    day: date,
    rules: Rules,
    root: Jurisdiction | None = None,
    depth: int = 1,
) -> list[Rate]:
    """The filing rate on ``day`` grouped ``by`` industry, jurisdiction or grade.

    By jurisdiction the rows are ``root`` (or the top level when ``root`` is None) and the
    nodes up to ``depth`` levels below it, each counting its whole subtree.
    """
    if by not in GROUPINGS:
        raise InvalidInput(f"by must be one of {', '.join(GROUPINGS)}", field="by")
    required = required_enterprises(day, rules, root)
    if by == "jurisdiction":
        return _by_jurisdiction(session, required, root, depth)
    # ``|| ''``: group after a table scan; walking the industry index to get the groups in
    # order would read the enterprises in random order (about twice as slow here).
    key = required.c.industry.concat("") if by == "industry" else required.c.grade
    rows = session.execute(
        select(key, func.count(), func.coalesce(func.sum(required.c.filed), 0)).group_by(key)
    ).all()
    table = [Rate(NO_GRADE if k is None else str(k), int(n), int(f)) for k, n, f in rows]
    return sorted(table, key=lambda r: r.key)


def _by_jurisdiction(
    session: Session, required: Any, root: Jurisdiction | None, depth: int
) -> list[Rate]:
    """Count per jurisdiction in SQL (one GROUP BY over the enterprises in table order: a
    few hundred rows however many enterprises), then add each node's counts to its shown
    ancestors along its path."""
    node = required.c.jurisdiction_id + 0  # ``+ 0``: a table scan, not an index walk
    per_node = session.execute(
        select(node, func.count(), func.coalesce(func.sum(required.c.filed), 0)).group_by(node)
    ).all()
    path_of = dict(
        session.execute(
            select(Jurisdiction.id, Jurisdiction.path).where(
                Jurisdiction.id.in_([jid for jid, _n, _f in per_node])
            )
        ).all()
    )
    if root is None:
        top = session.scalar(select(func.min(Jurisdiction.depth))) or 0
        where = [Jurisdiction.depth <= top + depth]
    else:
        where = [
            or_(Jurisdiction.id == root.id, Jurisdiction.path.like(f"{root.path}%")),
            Jurisdiction.depth <= root.depth + depth,
        ]
    shown = session.execute(
        select(Jurisdiction.id, Jurisdiction.path).where(*where).order_by(Jurisdiction.path)
    ).all()
    counts = {jid: [0, 0] for jid, _path in shown}
    for jid, n, f in per_node:
        for ancestor in path_of[jid].strip("/").split("/"):
            tally = counts.get(int(ancestor))
            if tally is not None:
                tally[0] += int(n)
                tally[1] += int(f)
    return [Rate(str(jid), *counts[jid]) for jid, _path in shown]


def total(session: Session, *, day: date, rules: Rules, root: Jurisdiction | None = None) -> Point:
    """The overall rate on ``day``."""
    required = required_enterprises(day, rules, root)
    n, f = session.execute(select(func.count(), func.coalesce(func.sum(required.c.filed), 0))).one()
    return Point(day, int(n), int(f))
