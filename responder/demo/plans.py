"""Demo plans: a county's filing history, derived from whatever enterprises and
jurisdictions the earlier steps made (so it follows any demo region).

* Most enterprises that must file have a filed comprehensive plan (the share varies by
  industry, about 70–95 %), some an on-site scheme too; a few were submitted late.
* The rest are missing, drafting, returned with reasons, or submitted and awaiting the
  authority's check — the oldest complete one past its 5 working days (deemed filed), and
  one incomplete (a material missing) for the clerk to return.
* Some plans are behind on evaluation or drills; drill and evaluation records back the
  dates that are set.
* Government plans at city and county level, filed with their own government.

Rows are written directly (this is history: dates in the past, numbers in sequence) with
the same rules the services apply (deadlines, lateness, deemed filing, numbers); the
coverage spans follow through the flush hook.  Choices come from a ``random.Random`` of
their own, seeded with the enterprises' credit codes, so the plans are the same for the
same region whatever the other steps drew.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from responder.demo.context import Demo, Login
from responder.models import (
    DrillRecord,
    DrillRecordPlan,
    Enterprise,
    EvaluationRecord,
    FilingSequence,
    HazardSource,
    Jurisdiction,
    Plan,
    PlanDocument,
)
from responder.services import accounts, filing
from responder.services import plans as plan_service
from responder.services.actors import SYSTEM
from responder.services.workdays import (
    add_working_days,
    deemed_filed_on,
    filing_deadline,
    is_late,
)

RETURN_REASONS = (
    "缺少应急资源调查清单",
    "风险评估结果未覆盖罐区泄漏情景",
    "评审意见未签字盖章",
    "预案文本与现场处置方案不一致，请核对",
)
STAFF_USER = "company"


def load_plans(demo: Demo) -> None:
    """Add the plans, their documents, drill and evaluation records, and one enterprise
    staff login (``company``) acting for the enterprise whose submission is incomplete."""
    session, rules, today = demo.session, demo.rules, demo.today
    enterprises = list(
        session.scalars(
            select(Enterprise).where(Enterprise.retired_at.is_(None)).order_by(Enterprise.id)
        )
    )
    if not enterprises:
        return
    nodes = {node.id: node for node in session.scalars(select(Jurisdiction))}
    hazard_owners = set(
        session.scalars(select(HazardSource.enterprise_id).where(HazardSource.retired_at.is_(None)))
    )
    seed = hashlib.sha256("".join(e.credit_code for e in enterprises).encode()).hexdigest()
    rng = random.Random(seed)
    writer = _Writer(demo, nodes)
    required = [
        e for e in enterprises if e.industry in rules.required_industries or e.id in hazard_owners
    ]
    industries = sorted({e.industry for e in required})
    # Each industry files a set share (72–92 %) of its enterprises: exactly that many,
    # picked at random, so the rates look like a real county's however small the industry.
    share = {code: 0.72 + (index * 0.07) % 0.2 for index, code in enumerate(industries)}
    filers: set[int] = set()
    for code in industries:
        members = [e.id for e in required if e.industry == code]
        filers.update(rng.sample(members, round(share[code] * len(members))))
    pending: list[Enterprise] = []
    for enterprise in required:
        if enterprise.id in filers:
            writer.filed_history(enterprise, rng)
        else:
            pending.append(enterprise)
    incomplete = None
    for index, enterprise in enumerate(pending):
        role = index % 5
        if role == 0 and index < 10:
            submitted = add_working_days(today - timedelta(days=30), index, rules)
            writer.submission(enterprise, rng, submitted_on=submitted, complete=index != 0)
            if index == 0:
                incomplete = enterprise
        elif role == 1:
            writer.returned(enterprise, rng)
        elif role == 2:
            writer.draft(enterprise, rng)
        elif role == 3 and index < 40:
            recent = today - timedelta(days=1 + index % 4)
            writer.submission(enterprise, rng, submitted_on=recent, complete=True)
        # the rest have nothing yet: the missing list
    for enterprise in enterprises:
        if enterprise not in required and rng.random() < 0.1:
            writer.filed_history(enterprise, rng, on_site=False)
    writer.government_plans(rng)
    writer.finish()
    if incomplete is not None:
        _staff_login(demo, incomplete)


class _Writer:
    """Writes plan rows with consistent dates, documents and numbers."""

    def __init__(self, demo: Demo, nodes: dict[int, Jurisdiction]) -> None:
        self.demo = demo
        self.session = demo.session
        self.rules = demo.rules
        self.today = demo.today
        self.nodes = nodes
        self.numbers: dict[tuple[int, int], int] = {}
        self.documents: list[tuple[Plan, tuple[str, ...]]] = []

    # --- building blocks --------------------------------------------------------------

    def _plan(self, owner: Enterprise | None, **values: object) -> Plan:
        plan = Plan(
            owner_kind="enterprise" if owner else "government",
            enterprise_id=owner.id if owner else None,
            **values,
        )
        if owner is not None:
            plan.jurisdiction_id = owner.jurisdiction_id
            plan.enterprise = owner
        plan.jurisdiction = self.nodes[plan.jurisdiction_id]
        if plan.submitted_on is not None:
            plan.submitted_at = _moment(plan.submitted_on)
        if plan.status == "returned" and plan.submitted_on is not None:
            plan.returned_at = _moment(add_working_days(plan.submitted_on, 3, self.rules))
        self.session.add(plan)
        self.session.flush()
        self.demo.counts["plans"] += 1
        return plan

    def _materials(self, plan: Plan, skip: tuple[str, ...] = ()) -> None:
        wanted = plan_service.required_materials(plan, self.rules)
        for material in wanted:
            if material in skip:
                continue
            digest = hashlib.sha256(f"demo:{plan.id}:{material}".encode()).hexdigest()
            self.session.add(
                PlanDocument(
                    plan_id=plan.id,
                    sha256=digest,
                    filename=f"{material}.pdf",
                    content_type="application/pdf",
                    size=2048,
                    uploaded_by="demo",
                    uploaded_at=_moment(plan.submitted_on or plan.published_on or self.today),
                    material=material,
                )
            )
            self.demo.counts["plan documents"] += 1

    def _number(self, plan: Plan, filed_on: date) -> None:
        authority = filing.authority_for(plan)
        key = (authority.id, filed_on.year)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        plan.filing_number = filing.format_number(authority.code, filed_on.year, self.numbers[key])
        plan.filing_authority_id = authority.id

    def _published(self, rng: random.Random, oldest: int = 1400, newest: int = 90) -> date:
        return self.today - timedelta(days=rng.randint(newest, oldest))

    def _submit_day(self, published: date, rng: random.Random, late: bool) -> date:
        if late:
            return filing_deadline(published, self.rules) + timedelta(days=rng.randint(3, 40))
        return add_working_days(
            published, rng.randint(2, self.rules.working_days_to_file), self.rules
        )

    # --- the stories ------------------------------------------------------------------

    def filed_history(
        self, enterprise: Enterprise, rng: random.Random, on_site: bool = True
    ) -> None:
        """A filed comprehensive plan (and sometimes an on-site scheme), with drills."""
        published = self._published(rng)
        self._filed(
            enterprise,
            rng,
            "comprehensive",
            f"{enterprise.name}生产安全事故综合应急预案",
            published,
        )
        if on_site and rng.random() < 0.4:
            self._filed(enterprise, rng, "on_site", f"{enterprise.name}现场处置方案", published)

    def _filed(
        self,
        enterprise: Enterprise,
        rng: random.Random,
        plan_type: str,
        title: str,
        published: date,
    ) -> Plan:
        late = rng.random() < 0.08
        submitted = self._submit_day(published, rng, late)
        filed = min(add_working_days(submitted, rng.randint(1, 5), self.rules), self.today)
        plan = self._plan(
            enterprise,
            title=title,
            plan_type=plan_type,
            incident_types=[],
            version="1.0",
            published_on=published,
            submitted_on=submitted,
            status="filed",
            filed_on=filed,
            filed_late=is_late(published, submitted, self.rules),
        )
        self._materials(plan)
        self._number(plan, filed)
        self._drills(plan, rng)
        self._evaluation(plan, rng)
        return plan

    def _drills(self, plan: Plan, rng: random.Random) -> None:
        """Most plans drilled within their cycle; about a quarter behind."""
        months = plan_service.drill_months(plan, self.rules)
        if rng.random() < 0.25 or plan.published_on is None:
            return  # never drilled since publication: behind once the cycle passes
        lag = rng.randint(10, max(11, months * 30 - 10))
        held = max(plan.published_on + timedelta(days=1), self.today - timedelta(days=lag))
        if held > self.today:
            return
        record = DrillRecord(
            held_on=held,
            kind="live" if rng.random() < 0.5 else "tabletop",
            enterprise_id=plan.enterprise_id,
            jurisdiction_id=plan.jurisdiction_id,
            participants=rng.randint(8, 120),
            notes="演练达到预期目的，通讯联络环节需加强",
            recorded_by="demo",
            recorded_at=_moment(held),
            plan_rows=[DrillRecordPlan(plan_id=plan.id)],
        )
        self.session.add(record)
        plan.last_drill_on = held
        self.demo.counts["drill records"] += 1

    def _evaluation(self, plan: Plan, rng: random.Random) -> None:
        """Units on the 3-year list: an evaluation for some of the older plans."""
        if plan.enterprise is None or not plan_service.evaluates(plan.enterprise, self.rules):
            return
        if plan.published_on is None or (self.today - plan.published_on).days < 400:
            return
        if rng.random() < 0.5:
            return  # due (or overdue) without an evaluation
        held = plan.published_on + timedelta(
            days=rng.randint(300, (self.today - plan.published_on).days)
        )
        self.session.add(
            EvaluationRecord(
                plan_id=plan.id,
                held_on=held,
                conclusion="预案总体适用，应急资源清单已更新",
                revision_needed=rng.random() < 0.2,
                recorded_by="demo",
                recorded_at=_moment(held),
            )
        )
        plan.last_evaluated_on = held
        self.demo.counts["evaluation records"] += 1

    def submission(
        self, enterprise: Enterprise, rng: random.Random, *, submitted_on: date, complete: bool
    ) -> None:
        """Submitted and waiting for the authority (complete ones run the check window)."""
        published = submitted_on - timedelta(days=rng.randint(5, 20))
        plan = self._plan(
            enterprise,
            title=f"{enterprise.name}生产安全事故综合应急预案",
            plan_type="comprehensive",
            incident_types=[],
            version="1.0",
            published_on=published,
            submitted_on=submitted_on,
            status="submitted",
            filed_late=is_late(published, submitted_on, self.rules),
            deemed_filed_on=deemed_filed_on(submitted_on, self.rules) if complete else None,
        )
        self._materials(plan, skip=() if complete else ("risk_assessment",))

    def returned(self, enterprise: Enterprise, rng: random.Random) -> None:
        published = self._published(rng, oldest=120, newest=20)
        plan = self._plan(
            enterprise,
            title=f"{enterprise.name}生产安全事故综合应急预案",
            plan_type="comprehensive",
            incident_types=[],
            version="1.0",
            published_on=published,
            submitted_on=self._submit_day(published, rng, late=False),
            status="returned",
            status_note=rng.choice(RETURN_REASONS),
        )
        self._materials(plan, skip=("resource_survey",))

    def draft(self, enterprise: Enterprise, rng: random.Random) -> None:
        self._plan(
            enterprise,
            title=f"{enterprise.name}生产安全事故综合应急预案（征求意见稿）",
            plan_type="comprehensive",
            incident_types=[],
            version="0.9",
            status="draft",
        )

    def government_plans(self, rng: random.Random) -> None:
        """The city's and each county's overall plan and hazchem special plan, filed with
        their own government; one county's special plan is behind on its 2-year drill."""
        levels = ("city", "county", "district")
        governments = sorted(
            (n for n in self.nodes.values() if n.level in levels), key=lambda n: n.path
        )
        for index, node in enumerate(governments):
            for plan_type, name in (
                ("comprehensive", "突发事件总体应急预案"),
                ("special", "危险化学品事故专项应急预案"),
            ):
                behind = plan_type == "special" and index == 1
                published = self._published(rng, oldest=1000, newest=120)
                if behind:
                    published = self.today - timedelta(days=900)
                submitted = self._submit_day(published, rng, late=False)
                filed = min(add_working_days(submitted, 3, self.rules), self.today)
                plan = self._plan(
                    None,
                    owner_body=f"{node.name}人民政府"
                    if plan_type == "comprehensive"
                    else f"{node.name}应急管理局",
                    jurisdiction_id=node.id,
                    title=f"{node.name}{name}",
                    plan_type=plan_type,
                    incident_types=["hazchem_leak"] if plan_type == "special" else [],
                    version="1.0",
                    published_on=published,
                    submitted_on=submitted,
                    status="filed",
                    filed_on=filed,
                    filed_late=is_late(published, submitted, self.rules),
                )
                self._materials(plan)
                self._number(plan, filed)
                plan.last_drill_on = (
                    published + timedelta(days=1)
                    if behind
                    else self.today - timedelta(days=rng.randint(30, 600))
                )
                if plan.last_drill_on > self.today:
                    plan.last_drill_on = None

    def finish(self) -> None:
        for (authority_id, year), last in sorted(self.numbers.items()):
            self.session.add(FilingSequence(authority_id=authority_id, year=year, last_number=last))
        self.session.flush()


def _moment(day: date) -> datetime:
    """A fixed time on ``day`` (so two loads of the demo write the same rows)."""
    return datetime.combine(day, time(2, 0), tzinfo=UTC)


def _staff_login(demo: Demo, enterprise: Enterprise) -> None:
    """An enterprise staff account for the enterprise whose submission lacks a material."""
    password = demo.password or secrets.token_urlsafe(12)
    user = accounts.create_user(
        demo.session,
        SYSTEM,
        username=STAFF_USER,
        password=password,
        role="enterprise_staff",
        display_name=f"{enterprise.name}安全管理员",
    )
    plan_service.link_staff(demo.session, SYSTEM, user_id=user.id, enterprise_id=enterprise.id)
    demo.logins.append(Login(STAFF_USER, password, "enterprise_staff", enterprise.name))
    demo.counts["users"] += 1
