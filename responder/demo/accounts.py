"""Demo accounts: one per role for the whole city, plus a county-scoped operator and clerk.

Passwords are random for every load (``secrets``), unless the caller gives one; they are
never stored in the repository and only their salted hashes reach the database.
"""

from __future__ import annotations

import secrets

from responder.demo.context import Demo, Login
from responder.services import accounts
from responder.services.actors import SYSTEM

COUNTY = "380206"  # 港区: the port district, where the chemical and oil-spill stories happen
# username, role, jurisdiction code (None: everywhere), display name
USERS: list[tuple[str, str, str | None, str]] = [
    ("admin", "admin", None, "系统管理员"),
    ("operator", "operator", "380200", "市应急指挥中心值班员"),
    ("clerk", "clerk", "380200", "市应急局预案备案管理员"),
    ("drill", "drill_organizer", "380200", "市应急演练组织者"),
    ("viewer", "viewer", "380200", "市领导（只读）"),
    ("port_operator", "operator", COUNTY, "港区应急指挥中心值班员"),
    ("port_clerk", "clerk", COUNTY, "港区应急管理局备案员"),
]


def load_users(demo: Demo) -> None:
    """Create the demo users and remember their logins for printing."""
    for username, role, code, display in USERS:
        password = demo.password or secrets.token_urlsafe(12)
        accounts.create_user(
            demo.session,
            SYSTEM,
            username=username,
            password=password,
            role=role,
            jurisdiction_code=code,
            display_name=display,
        )
        where = _jurisdiction_label(demo, code)
        demo.logins.append(Login(username, password, role, where))
        demo.counts["users"] += 1


def _jurisdiction_label(demo: Demo, code: str | None) -> str:
    if code is None:
        return "全部 (all)"
    tree = demo.tree
    names = {tree.city.code: tree.city.name, tree.province.code: tree.province.name}
    names.update({c: area.node.name for c, area in tree.counties.items()})
    return f"{names.get(code, '')} {code}".strip()
