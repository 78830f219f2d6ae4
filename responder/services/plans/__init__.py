"""Emergency plans: drafting, submitting, returning, withdrawing, revising; due dates.

Filing itself (the number, supersession) lives in :mod:`responder.services.filing`.
The package re-exports every public name of its modules, so callers use
``from responder.services import plans`` and ``plans.submit(...)``:

* :mod:`.access` — the plan lookup, who may act on which plan, enterprise-staff links;
* :mod:`.drafting` — creating and editing drafts, the editable fields, the audit snapshot;
* :mod:`.materials` — the materials a submission must carry (办法 Art 27);
* :mod:`.workflow` — submit, return, withdraw, revise, and the filing state lists show;
* :mod:`.deadlines` — filing and check deadlines, next evaluation and drill;
* :mod:`.queries` — the filtered plan list and the plans shown with a dispatch proposal.
"""

from __future__ import annotations

from responder.services.plans.access import (
    get,
    link_staff,
    readable_filter,
    require_on,
    staff_enterprise_ids,
)
from responder.services.plans.deadlines import (
    ENTERPRISE_DRILL_TYPES,
    DueDates,
    drill_months,
    due_dates,
    evaluates,
    last_enterprise_drill,
)
from responder.services.plans.drafting import (
    DRAFT_FIELDS,
    EDITABLE_STATUSES,
    LIFE_FIELDS,
    create,
    snapshot,
    update,
)
from responder.services.plans.materials import (
    is_required_unit,
    materials_checklist,
    missing_materials,
    required_materials,
)
from responder.services.plans.queries import for_incident, list_statement
from responder.services.plans.workflow import (
    filing_state,
    is_deemed_filed,
    return_plan,
    revise,
    submit,
    withdraw,
)

__all__ = [
    "DRAFT_FIELDS",
    "EDITABLE_STATUSES",
    "ENTERPRISE_DRILL_TYPES",
    "LIFE_FIELDS",
    "DueDates",
    "create",
    "drill_months",
    "due_dates",
    "evaluates",
    "filing_state",
    "for_incident",
    "get",
    "is_deemed_filed",
    "is_required_unit",
    "last_enterprise_drill",
    "link_staff",
    "list_statement",
    "materials_checklist",
    "missing_materials",
    "readable_filter",
    "require_on",
    "required_materials",
    "return_plan",
    "revise",
    "snapshot",
    "staff_enterprise_ids",
    "submit",
    "update",
    "withdraw",
]
