"""Database models.  Import from here: ``from responder.models import RescueTeam``."""

from responder.models.accounts import ApiToken, User
from responder.models.audit import AuditEntry
from responder.models.base import Base, db, utcnow
from responder.models.dispatch import (
    Assignment,
    Incident,
    IncidentNote,
    MaterialDispatch,
    MatrixMaterialNeed,
    MatrixTeamNeed,
    Proposal,
    RoadClosure,
)
from responder.models.drills import Drill, DrillIncident, DrillRun
from responder.models.enterprises import Enterprise, HazardSource
from responder.models.geography import Jurisdiction
from responder.models.plans import (
    EnterpriseStaff,
    FilingSequence,
    Plan,
    PlanCoverage,
    PlanDocument,
    PlanHazardSource,
    PlanLink,
    PlanMaterialNeed,
    PlanTeamNeed,
)
from responder.models.registry import (
    Depot,
    Expert,
    InventoryLine,
    Material,
    RescueBase,
    RescueTeam,
    TeamSpecialty,
)

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Base",
    "Depot",
    "Drill",
    "DrillIncident",
    "DrillRun",
    "Enterprise",
    "EnterpriseStaff",
    "Expert",
    "FilingSequence",
    "HazardSource",
    "Incident",
    "IncidentNote",
    "InventoryLine",
    "Jurisdiction",
    "Material",
    "MaterialDispatch",
    "MatrixMaterialNeed",
    "MatrixTeamNeed",
    "Plan",
    "PlanCoverage",
    "PlanDocument",
    "PlanHazardSource",
    "PlanLink",
    "PlanMaterialNeed",
    "PlanTeamNeed",
    "Proposal",
    "RescueBase",
    "RescueTeam",
    "RoadClosure",
    "TeamSpecialty",
    "User",
    "db",
    "utcnow",
]
