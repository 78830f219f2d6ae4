"""The clerk's desk on pages: the plan list, the review queue, a plan's page with its
actions, new plans from enterprise staff, and drill / evaluation records.

Handlers stay thin: each write calls the same service function as the API, and a domain
error re-renders the page with the message beside the field at fault (status 422),
nothing changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from responder.errors import DomainError, InvalidInput
from responder.http.api.filing import MEDIA_TYPES, csv_bytes, xlsx_bytes
from responder.http.auth import current_actor
from responder.localization import current_language
from responder.models import Enterprise, EnterpriseStaff, Jurisdiction, Plan, db
from responder.rules import Rules
from responder.services import documents, filing, jurisdictions, plan_queries, plan_records
from responder.services import plans as plan_service
from responder.services.workdays import today_in
from responder.vocabulary import (
    DRILL_KINDS,
    FILING_STATES,
    INDUSTRIES,
    PLAN_MATERIALS,
    PLAN_OWNER_KINDS,
    PLAN_STATUSES,
    PLAN_TYPES,
)
from responder.vocabulary import label as vocab_label

bp = Blueprint("plan_desk", __name__)
PER_PAGE = 25
#: Words for every filing state a list shows (stored statuses plus the derived ones).
STATE_WORDS = {**PLAN_STATUSES, **FILING_STATES}
#: Words for the plan's history (audit actions).
ACTION_WORDS = {
    "create": ("创建", "Created"),
    "update": ("修改", "Edited"),
    "submit": ("报送", "Submitted"),
    "file": ("备案", "Filed"),
    "return": ("退回", "Returned"),
    "withdraw": ("撤回", "Withdrawn"),
    "revise": ("创建修订版本", "Revision started"),
    "supersede": ("被新版本替代", "Superseded"),
    "upload": ("上传材料", "Document uploaded"),
    "relabel_document": ("更改材料类别", "Document relabelled"),
    "record_evaluation": ("记录评估", "Evaluation recorded"),
}
DUE_WORDS = {
    "evaluation_overdue": ("评估逾期", "Evaluation overdue"),
    "drill_overdue": ("演练逾期", "Drill overdue"),
    "filed_late": ("逾期报送", "Submitted late"),
}


def rules() -> Rules:
    return current_app.extensions["responder.rules"]


def today() -> date:
    return today_in(current_app.config["TIMEZONE"])


def _locale() -> str:
    return "en" if current_language() == "en" else "zh"


# --- the plan list --------------------------------------------------------------------------


def _filters() -> plan_queries.PlanFilters:
    """The list's filters from the query string (unknown codes are a 422 on the field)."""
    args = request.args

    def code(name: str, vocabulary: Any) -> str | None:
        value = (args.get(name) or "").strip()
        if value and value not in vocabulary:
            raise InvalidInput(f"unknown {name} '{value}'", field=name)
        return value or None

    state = code("state", STATE_WORDS)
    plan_type = code("plan_type", PLAN_TYPES)
    node = None
    if args.get("jurisdiction_id"):
        node = jurisdictions.get(db.session, _int("jurisdiction_id", args.get("jurisdiction_id")))
    return plan_queries.PlanFilters(
        states=(state,) if state else (),
        plan_types=(plan_type,) if plan_type else (),
        owner_kind=code("owner_kind", PLAN_OWNER_KINDS),
        jurisdiction=node,
        industry=code("industry", INDUSTRIES),
        due=code("due", DUE_WORDS),
        enterprise_id=_int("enterprise_id", args.get("enterprise_id"))
        if args.get("enterprise_id")
        else None,
        q=(args.get("q") or "").strip()[:100] or None,
    )


def _int(name: str, raw: str | None) -> int:
    text = (raw or "").strip()
    if not text.isdigit():
        raise InvalidInput(f"{name} must be a whole number", field=name)
    return int(text)


def _jurisdiction_options() -> list[Jurisdiction]:
    actor = current_actor()
    stmt = select(Jurisdiction).where(Jurisdiction.depth <= 3).order_by(Jurisdiction.path)
    if actor.scope_path is not None:
        stmt = stmt.where(Jurisdiction.path.like(f"{actor.scope_path}%"))
    return list(db.session.scalars(stmt))


@bp.get("/plans")
@login_required
def plan_list() -> Any:
    """Plans you may read, filtered (state, type, owner, jurisdiction, industry, due state),
    sorted and paged; the same rows export as CSV or XLSX."""
    actor = current_actor()
    errors: dict[str, str] = {}
    try:
        filters = _filters()
        sort = request.args.get("sort", "-id")
        page = _int("page", request.args.get("page", "1")) or 1
        items, total = plan_queries.search(
            db.session,
            actor,
            filters,
            today=today(),
            rules=rules(),
            sort=sort,
            offset=(page - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    except InvalidInput as error:
        errors[error.field or "q"] = error.message
        filters, sort, page, items, total = plan_queries.PlanFilters(), "-id", 1, [], 0
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template(
        "plans/list.html",
        items=[(plan, plan_service.filing_state(plan, today())) for plan in items],
        total=total,
        page=page,
        pages=pages,
        sort=sort,
        errors=errors,
        options=_jurisdiction_options(),
        state_words=STATE_WORDS,
        due_words=DUE_WORDS,
        can_create=actor.can("plans.submit"),
    ), (422 if errors else 200)


def export_columns() -> list[tuple[str, str]]:
    """(key, header in the page's language) of the plan list's export."""
    return [
        ("id", _("编号")),
        ("title", _("预案名称")),
        ("plan_type", _("类型")),
        ("owner", _("所属单位")),
        ("industry", _("行业")),
        ("jurisdiction", _("行政区划")),
        ("state", _("状态")),
        ("published_on", _("公布日期")),
        ("submitted_on", _("报送日期")),
        ("filing_number", _("备案编号")),
        ("filed_on", _("备案日期")),
    ]


def _export_row(plan: Plan, locale: str) -> dict[str, Any]:
    state = plan_service.filing_state(plan, today())
    return {
        "id": plan.id,
        "title": plan.title,
        "plan_type": vocab_label(PLAN_TYPES, plan.plan_type, locale),
        "owner": plan.enterprise.name if plan.enterprise else plan.owner_body,
        "industry": vocab_label(INDUSTRIES, plan.enterprise.industry, locale)
        if plan.enterprise
        else "",
        "jurisdiction": plan.jurisdiction.name,
        "state": vocab_label(STATE_WORDS, state, locale),
        "published_on": plan.published_on.isoformat() if plan.published_on else "",
        "submitted_on": plan.submitted_on.isoformat() if plan.submitted_on else "",
        "filing_number": plan.filing_number or "",
        "filed_on": plan.filed_on.isoformat() if plan.filed_on else "",
    }


@bp.get("/plans/export.<any(csv, xlsx):fmt>")
@login_required
def plan_export(fmt: str) -> Response:
    """The plan list's rows (same filters and sort, every page) as CSV or XLSX."""
    items, _total = plan_queries.search(
        db.session,
        current_actor(),
        _filters(),
        today=today(),
        rules=rules(),
        sort=request.args.get("sort", "-id"),
        limit=None,
    )
    locale = _locale()
    columns = export_columns()
    rows = [_export_row(plan, locale) for plan in items]
    return spreadsheet(fmt, "plans", columns, rows)


def spreadsheet(
    fmt: str, name: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]]
) -> Response:
    """Rows as a CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) or XLSX,
    formula-looking text defused (the filing exports' writers)."""
    body = (csv_bytes if fmt == "csv" else xlsx_bytes)(columns, rows)
    return Response(
        body,
        mimetype=MEDIA_TYPES[fmt].split(";")[0],
        headers={
            "Content-Type": MEDIA_TYPES[fmt],
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
        },
    )


# --- the review queue -----------------------------------------------------------------------


@bp.get("/filing/queue")
@login_required
def queue() -> Any:
    """Submitted plans awaiting the authority, by check deadline, with working days left
    and the deemed-filing warning."""
    items = plan_queries.review_queue(db.session, current_actor(), today=today(), rules=rules())
    return render_template("plans/queue.html", items=items, day=today())


# --- one plan -------------------------------------------------------------------------------


def _plan_context(plan: Plan, errors: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    actor = current_actor()
    day = today()
    state = plan_service.filing_state(plan, day)
    can_submit = actor.can("plans.submit") and _may(actor, "plans.submit", plan)
    can_file = actor.can("plans.file") and _may(actor, "plans.file", plan)
    return {
        "plan": plan,
        "state": state,
        "day": day,
        "due": plan_service.due_dates(db.session, plan, rules()),
        "checklist": plan_service.materials_checklist(db.session, plan, rules()),
        "authority": filing.authority_for(plan),
        "copy_to": filing.copy_to(plan),
        "versions": plan_queries.versions(db.session, plan),
        "history": plan_queries.history(db.session, plan),
        "drills": plan_records.drills_of(db.session, plan.id),
        "evaluations": plan_records.evaluations_of(db.session, plan.id),
        "editable": plan.status in plan_service.EDITABLE_STATUSES,
        "can_submit": can_submit,
        "can_file": can_file,
        "errors": errors or {},
        "form": request.form if request.method == "POST" else {},
        "materials": PLAN_MATERIALS,
        "drill_kinds": DRILL_KINDS,
        "state_words": STATE_WORDS,
        "action_words": ACTION_WORDS,
    }


def _may(actor: Any, permission: str, plan: Plan) -> bool:
    try:
        plan_service.require_on(db.session, actor, permission, plan)
    except DomainError:
        return False
    return True


def _readable(plan_id: int) -> Plan:
    plan = plan_service.get(db.session, plan_id)
    plan_service.require_on(db.session, current_actor(), "plans.read", plan)
    return plan


@bp.get("/plans/<int:plan_id>")
@login_required
def plan_detail(plan_id: int) -> Any:
    """A plan: metadata, versions, documents, the materials checklist, records, history and
    the actions the reader may take."""
    return render_template("plans/detail.html", **_plan_context(_readable(plan_id)))


def _act(plan_id: int, form: str, action: Any, success: str) -> Any:
    """Run one write for the plan page; on a domain error roll back and show the message
    beside the field of the form that failed."""
    plan = _readable(plan_id)
    try:
        result = action(plan)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        plan = _readable(plan_id)
        errors = {form: {error.field or "form": error.message}}
        return render_template("plans/detail.html", **_plan_context(plan, errors)), error.status
    flash(success, "success")
    target = result.id if isinstance(result, Plan) else plan_id
    return redirect(url_for("plan_desk.plan_detail", plan_id=target))


def _date_field(name: str, *, required: bool = False) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise InvalidInput(f"{name} is required", field=name)
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD", field=name) from exc


@bp.post("/plans/<int:plan_id>/submit")
@login_required
def plan_submit(plan_id: int) -> Any:
    return _act(
        plan_id,
        "submit",
        lambda plan: plan_service.submit(
            db.session, current_actor(), plan, rules=rules(), today=today()
        ),
        _("已报送备案。"),
    )


@bp.post("/plans/<int:plan_id>/file")
@login_required
def plan_file(plan_id: int) -> Any:
    return _act(
        plan_id,
        "file",
        lambda plan: filing.file_plan(
            db.session,
            current_actor(),
            plan,
            rules=rules(),
            today=today(),
            filed_on=_date_field("filed_on"),
        ),
        _("已备案。"),
    )


@bp.post("/plans/<int:plan_id>/return")
@login_required
def plan_return(plan_id: int) -> Any:
    return _act(
        plan_id,
        "return",
        lambda plan: plan_service.return_plan(
            db.session,
            current_actor(),
            plan,
            reason=(request.form.get("reason") or "")[:1000],
            today=today(),
        ),
        _("已退回，并告知了理由。"),
    )


@bp.post("/plans/<int:plan_id>/withdraw")
@login_required
def plan_withdraw(plan_id: int) -> Any:
    return _act(
        plan_id,
        "withdraw",
        lambda plan: plan_service.withdraw(
            db.session,
            current_actor(),
            plan,
            reason=(request.form.get("reason") or "")[:1000],
            today=today(),
        ),
        _("已撤回。"),
    )


@bp.post("/plans/<int:plan_id>/revise")
@login_required
def plan_revise(plan_id: int) -> Any:
    return _act(
        plan_id,
        "revise",
        lambda plan: plan_service.revise(
            db.session,
            current_actor(),
            plan,
            {"version": (request.form.get("version") or "").strip()[:20]},
            today=today(),
        ),
        _("已创建修订版本草稿。"),
    )


@bp.post("/plans/<int:plan_id>/documents")
@login_required
def plan_upload(plan_id: int) -> Any:
    def upload(plan: Plan) -> Plan:
        stream = request.files.get("file")
        if stream is None or not stream.filename:
            raise InvalidInput("choose a file to upload", field="file")
        limit = int(float(current_app.config["MAX_DOCUMENT_MB"]) * 1024 * 1024)
        documents.store(
            db.session,
            current_actor(),
            plan,
            content=stream.stream.read(limit + 1),
            filename=stream.filename,
            root=current_app.config["DOCUMENTS_DIR"],
            max_bytes=limit,
            material=request.form.get("material") or "other",
        )
        return plan

    return _act(plan_id, "upload", upload, _("文件已上传。"))


@bp.post("/plans/<int:plan_id>/drills")
@login_required
def plan_drill(plan_id: int) -> Any:
    def record(plan: Plan) -> Plan:
        raw = (request.form.get("participants") or "0").strip()
        if not raw.isdigit():
            raise InvalidInput("participants must be a whole number", field="participants")
        upload = request.files.get("attachment")
        content = upload.stream.read() if upload is not None and upload.filename else None
        plan_records.record_drill(
            db.session,
            current_actor(),
            plan_ids=[plan.id],
            held_on=_date_field("held_on", required=True) or today(),
            kind=request.form.get("kind") or "",
            today=today(),
            participants=int(raw),
            notes=request.form.get("notes") or "",
            attachment=content,
            attachment_name=upload.filename if upload is not None else None,
            documents_root=current_app.config["DOCUMENTS_DIR"],
            max_bytes=int(float(current_app.config["MAX_DOCUMENT_MB"]) * 1024 * 1024),
        )
        return plan

    return _act(plan_id, "drill", record, _("演练记录已保存。"))


@bp.post("/plans/<int:plan_id>/evaluations")
@login_required
def plan_evaluation(plan_id: int) -> Any:
    def record(plan: Plan) -> Plan:
        plan_records.record_evaluation(
            db.session,
            current_actor(),
            plan_id=plan.id,
            held_on=_date_field("held_on", required=True) or today(),
            conclusion=request.form.get("conclusion") or "",
            revision_needed=request.form.get("revision_needed") == "1",
            today=today(),
        )
        return plan

    return _act(plan_id, "evaluation", record, _("评估记录已保存。"))


# --- a new plan ------------------------------------------------------------------------------


def _own_enterprises() -> list[Enterprise]:
    """The enterprises the reader may draft plans for: their own (enterprise staff) or those
    of their jurisdiction that must file (clerks; the first 500 by name)."""
    actor = current_actor()
    if actor.role == "enterprise_staff":
        ids = select(EnterpriseStaff.enterprise_id).where(EnterpriseStaff.user_id == actor.user_id)
        stmt = select(Enterprise).where(Enterprise.id.in_(ids))
    else:
        stmt = select(Enterprise).where(Enterprise.retired_at.is_(None))
        if actor.scope_path is not None:
            stmt = stmt.where(
                jurisdictions.subtree_filter(Enterprise.jurisdiction_id, actor.scope_path)
            )
    return list(db.session.scalars(stmt.order_by(Enterprise.name).limit(500)))


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def plan_new() -> Any:
    """Draft a plan for your enterprise (enterprise staff) or one in your jurisdiction."""
    actor = current_actor()
    actor.require("plans.submit")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            raw_id = request.form.get("enterprise_id")
            data = {
                "owner_kind": "enterprise",
                "enterprise_id": _int("enterprise_id", raw_id) if raw_id else None,
                "title": (request.form.get("title") or "").strip()[:300],
                "plan_type": request.form.get("plan_type") or "",
                "version": (request.form.get("version") or "1.0").strip()[:20] or "1.0",
                "summary": (request.form.get("summary") or "")[:10000],
                "published_on": _date_field("published_on"),
            }
            plan = plan_service.create(db.session, actor, data, today=today())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            errors[error.field or "form"] = error.message
        else:
            flash(_("草稿已创建：请上传备案材料，然后报送。"), "success")
            return redirect(url_for("plan_desk.plan_detail", plan_id=plan.id))
    return render_template(
        "plans/new.html",
        enterprises=_own_enterprises(),
        errors=errors,
        form=request.form,
        preset=request.args.get("enterprise_id", ""),
    ), (422 if errors else 200)


@bp.app_template_global("plans_of_enterprise")
def plans_of_enterprise(enterprise: Enterprise) -> plan_queries.EnterprisePlans | None:
    """For ``plans/_enterprise_plans.html`` on the registry's enterprise page: the
    enterprise's plans the reader may see (None when they may not read plans)."""
    actor = current_actor()
    if not actor.can("plans.read"):
        return None
    return plan_queries.for_enterprise(db.session, actor, enterprise, today=today(), rules=rules())
