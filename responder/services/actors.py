"""Who is acting, and what their role and jurisdiction let them do."""

from __future__ import annotations

from dataclasses import dataclass

from responder.errors import Forbidden

#: Which roles hold each permission.  Admins hold all of them.
PERMISSIONS: dict[str, frozenset[str]] = {
    "registry.write": frozenset({"operator"}),
    "catalog.write": frozenset(),
    "enterprises.write": frozenset({"clerk"}),
    "jurisdictions.write": frozenset(),
    "users.manage": frozenset(),
    "audit.read": frozenset(),
    "dispatch.write": frozenset({"operator"}),
    "roads.write": frozenset({"operator"}),
    "matrix.write": frozenset(),
    "plans.submit": frozenset({"clerk", "enterprise_staff"}),
    "plans.file": frozenset({"clerk"}),
    "plans.read": frozenset({"clerk", "enterprise_staff", "operator", "drill_organizer", "viewer"}),
    "filing.read": frozenset({"clerk", "operator", "drill_organizer", "viewer"}),
    "staff.manage": frozenset({"clerk"}),
    "drills.write": frozenset({"drill_organizer"}),
    "drills.read": frozenset({"drill_organizer", "operator", "viewer"}),
    "coverage.read": frozenset({"drill_organizer", "operator", "viewer"}),
}


@dataclass(frozen=True)
class Actor:
    """The user behind a call.  ``scope_path`` is the materialized path of their
    jurisdiction (``/1/4/``); ``None`` means the whole tree."""

    user_id: int | None
    username: str
    role: str
    scope_path: str | None = None

    def can(self, permission: str) -> bool:
        return self.role == "admin" or self.role in PERMISSIONS[permission]

    def covers(self, path: str | None) -> bool:
        """True if a record at jurisdiction ``path`` lies inside this actor's scope."""
        if self.scope_path is None:
            return True
        return path is not None and path.startswith(self.scope_path)

    def require(self, permission: str, *, path: str | None = None, what: str = "") -> None:
        """Raise :class:`Forbidden` unless the role allows ``permission`` at ``path``."""
        if not self.can(permission):
            raise Forbidden(f"role '{self.role}' may not do this ({permission})")
        if path is not None and not self.covers(path):
            raise Forbidden(
                f"{what or 'this record'} is outside your jurisdiction", field="jurisdiction"
            )


SYSTEM = Actor(user_id=None, username="system", role="admin", scope_path=None)
