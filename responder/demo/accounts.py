"""Demo accounts: one per role for 杭州市 330100, plus a 拱墅区 330105 operator and clerk.

Passwords are random for every load (``secrets``), unless the caller gives one; they are
never stored in the repository and only their salted hashes reach the database.
"""

from __future__ import annotations

import secrets

from responder.demo.context import Demo, Login
from responder.services import accounts
from responder.services.actors import SYSTEM

CITY = "330100"  # 杭州市
COUNTY = "330105"  # 拱墅区: the Grand Canal district, where most demo teams and sites are
# username, role, jurisdiction code (None: everywhere), display name
USERS: list[tuple[str, str, str | None, str]] = [
    ("admin", "admin", None, "系统管理员"),
    ("operator", "operator", CITY, "杭州市应急指挥中心值班员"),
    ("clerk", "clerk", CITY, "杭州市应急管理局预案备案管理员"),
    ("drill", "drill_organizer", CITY, "杭州市应急演练组织者"),
    ("viewer", "viewer", CITY, "市领导（只读）"),
    ("gongshu_operator", "operator", COUNTY, "拱墅区应急指挥中心值班员"),
    ("gongshu_clerk", "clerk", COUNTY, "拱墅区应急管理局备案员"),
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
    names.update({c: node.name for c, node in tree.counties.items()})
    return f"{names.get(code, '')} {code}".strip()
