"""Emergency plans (应急预案): CRUD, the filing workflow, documents, feasibility."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from responder.errors import InvalidInput, Unprocessable
from responder.http.api import fields as f
from responder.http.api.common import ListArgs, page_schema
from responder.http.auth import current_actor
from responder.http.context import loaded_road_network, rules, today
from responder.models import Plan, db
from responder.services import documents, feasibility, filing, jurisdictions, plans
from responder.vocabulary import (
    INCIDENT_TYPES,
    PLAN_MATERIALS,
    PLAN_OWNER_KINDS,
    PLAN_STATUSES,
    PLAN_TYPES,
    SPECIALTIES,
)

blp = Blueprint(
    "plans",
    __name__,
    url_prefix="/api/v1/plans",
    description="Emergency plans and their filing workflow",
)


class TeamNeedSchema(Schema):
    specialty = f.code_of(SPECIALTIES, required=True)
    count = f.Integer(load_default=1, validate=validate.Range(min=1, max=1000))


class MaterialNeedSchema(Schema):
    material_id = f.Integer(required=True)
    quantity = fields.Float(
        required=True, allow_nan=False, validate=validate.Range(min=0, min_inclusive=False)
    )


class DocumentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    uploaded_by = fields.String()
    material = fields.String(metadata={"description": "filing material (PLAN_MATERIALS)"})
    url = fields.Method("document_url")

    def document_url(self, document: Any) -> str:
        return url_for("plans.Document", plan_id=document.plan_id, document_id=document.id)


class EditableSchema(Schema):
    """What an owner writes on a draft (or a returned plan)."""

    title = f.Text(validate=validate.Length(min=1, max=300))
    plan_type = f.code_of(PLAN_TYPES)
    incident_types = f.codes_of(INCIDENT_TYPES)
    version = f.Text(validate=validate.Length(min=1, max=20))
    summary = f.text(10000)
    owner_body = f.text(200)
    published_on = fields.Date(allow_none=True)
    last_evaluated_on = fields.Date(allow_none=True)
    last_drill_on = fields.Date(allow_none=True)
    hazard_source_ids = fields.List(f.Integer())
    parent_plan_ids = fields.List(
        f.Integer(), metadata={"description": "plans this one dovetails with"}
    )
    team_needs = fields.List(fields.Nested(TeamNeedSchema))
    material_needs = fields.List(fields.Nested(MaterialNeedSchema))


class PlanSchema(EditableSchema):
    id = fields.Integer(dump_only=True)
    owner_kind = f.code_of(PLAN_OWNER_KINDS, load_default="enterprise")
    enterprise_id = f.Integer(allow_none=True)
    jurisdiction_id = f.Integer(
        metadata={
            "description": "government plans: the owning jurisdiction; enterprise "
            "plans take the enterprise's"
        }
    )
    title = f.Text(required=True, validate=validate.Length(min=1, max=300))
    plan_type = f.code_of(PLAN_TYPES, required=True)
    status = fields.String(dump_only=True)
    status_note = fields.String(dump_only=True)
    submitted_at = fields.DateTime(dump_only=True)
    submitted_on = fields.Date(dump_only=True)
    deemed_filed_on = fields.Date(
        dump_only=True,
        metadata={"description": "a complete submission counts as filed from this day"},
    )
    filing_state = fields.Method("dump_state", dump_only=True)
    check_deadline = fields.Method("dump_check", dump_only=True)
    missing_materials = fields.Method("dump_missing", dump_only=True)
    returned_at = fields.DateTime(dump_only=True)
    filed_on = fields.Date(dump_only=True)
    superseded_on = fields.Date(dump_only=True)
    withdrawn_on = fields.Date(dump_only=True)
    filing_number = fields.String(dump_only=True)
    filing_authority_id = fields.Integer(dump_only=True)
    filed_late = fields.Boolean(dump_only=True)
    supersedes_id = fields.Integer(dump_only=True)
    superseded_by_id = fields.Integer(dump_only=True)
    filing_deadline = fields.Method("dump_deadline", dump_only=True)
    next_evaluation_due = fields.Method("dump_evaluation", dump_only=True)
    next_drill_due = fields.Method("dump_drill", dump_only=True)
    documents = fields.List(fields.Nested(DocumentSchema), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    def _due(self, plan: Plan, name: str) -> str | None:
        value = getattr(plans.due_dates(db.session, plan, rules()), name)
        return value.isoformat() if value else None

    def dump_state(self, plan: Plan) -> str:
        return plans.filing_state(plan, today())

    def dump_check(self, plan: Plan) -> str | None:
        return self._due(plan, "check_deadline")

    def dump_missing(self, plan: Plan) -> list[str]:
        return plans.missing_materials(db.session, plan, rules())

    def dump_deadline(self, plan: Plan) -> str | None:
        return self._due(plan, "filing_deadline")

    def dump_evaluation(self, plan: Plan) -> str | None:
        return self._due(plan, "next_evaluation_due")

    def dump_drill(self, plan: Plan) -> str | None:
        return self._due(plan, "next_drill_due")


class PlanArgs(ListArgs):
    status = f.CommaList(PLAN_STATUSES)
    plan_type = f.CommaList(PLAN_TYPES)
    enterprise_id = f.Integer()


class FileSchema(Schema):
    filed_on = fields.Date(metadata={"description": "default today; a paper filing's date"})


class ReasonSchema(Schema):
    reason = f.Text(required=True, validate=validate.Length(min=1, max=1000))


class WithdrawSchema(Schema):
    reason = f.Text(load_default="", validate=validate.Length(max=1000))


class ReviseSchema(EditableSchema):
    version = f.Text(required=True, validate=validate.Length(min=1, max=20))


class StaffSchema(Schema):
    user_id = f.Integer(required=True)
    enterprise_id = f.Integer(required=True)


def _readable(plan_id: int) -> Plan:
    plan = plans.get(db.session, plan_id)
    plans.require_on(db.session, current_actor(), "plans.read", plan)
    return plan


def _created(plan: Plan) -> tuple[Plan, int, dict[str, str]]:
    return plan, 201, {"Location": url_for("plans.Item", plan_id=plan.id)}


@blp.route("")
class Collection(MethodView):
    @blp.arguments(PlanArgs, location="query")
    @blp.response(200, page_schema(PlanSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Plans you may read, newest first."""
        node = (
            jurisdictions.get(db.session, args["jurisdiction_id"])
            if args.get("jurisdiction_id") is not None
            else None
        )
        stmt = plans.list_statement(
            db.session,
            current_actor(),
            status=args.get("status"),
            plan_type=args.get("plan_type"),
            enterprise_id=args.get("enterprise_id"),
            jurisdiction=node,
            q=args.get("q"),
        )
        per_page = min(
            args.get("per_page") or current_app.config["PAGE_SIZE"],
            current_app.config["MAX_PAGE_SIZE"],
        )
        total = (
            db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        )
        items = db.session.scalars(stmt.offset((args["page"] - 1) * per_page).limit(per_page))
        return {"items": list(items), "total": total, "page": args["page"], "per_page": per_page}

    @blp.arguments(PlanSchema)
    @blp.response(201, PlanSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Draft a plan (enterprise staff for their enterprise, or a clerk)."""
        plan = plans.create(db.session, current_actor(), data, today=today())
        db.session.commit()
        return _created(plan)


@blp.route("/<int:plan_id>")
class Item(MethodView):
    @blp.response(200, PlanSchema)
    def get(self, plan_id: int) -> Any:
        return _readable(plan_id)

    @blp.arguments(EditableSchema)
    @blp.response(200, PlanSchema)
    def patch(self, data: dict[str, Any], plan_id: int) -> Any:
        """Edit a draft or returned plan; after filing, only the evaluation and drill dates."""
        plan = plans.get(db.session, plan_id)
        plans.update(db.session, current_actor(), plan, data, today=today())
        db.session.commit()
        return plan


@blp.route("/<int:plan_id>/submit")
class Submit(MethodView):
    @blp.response(200, PlanSchema)
    def post(self, plan_id: int) -> Any:
        """Send the plan to its filing authority."""
        plan = plans.submit(
            db.session,
            current_actor(),
            plans.get(db.session, plan_id),
            rules=rules(),
            today=today(),
        )
        db.session.commit()
        return plan


@blp.route("/<int:plan_id>/file")
class File(MethodView):
    @blp.arguments(FileSchema)
    @blp.response(200, PlanSchema)
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """File a submitted plan (a clerk of its filing authority): assigns the number."""
        plan = filing.file_plan(
            db.session,
            current_actor(),
            plans.get(db.session, plan_id),
            rules=rules(),
            today=today(),
            filed_on=data.get("filed_on"),
        )
        db.session.commit()
        return plan


@blp.route("/<int:plan_id>/return")
class Return(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, PlanSchema)
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Send a submitted plan back to its owner with the reason."""
        plan = plans.return_plan(
            db.session,
            current_actor(),
            plans.get(db.session, plan_id),
            reason=data["reason"],
            today=today(),
        )
        db.session.commit()
        return plan


@blp.route("/<int:plan_id>/withdraw")
class Withdraw(MethodView):
    @blp.arguments(WithdrawSchema)
    @blp.response(200, PlanSchema)
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Take the plan out of force from today."""
        plan = plans.withdraw(
            db.session,
            current_actor(),
            plans.get(db.session, plan_id),
            reason=data["reason"],
            today=today(),
        )
        db.session.commit()
        return plan


@blp.route("/<int:plan_id>/revise")
class Revise(MethodView):
    @blp.arguments(ReviseSchema)
    @blp.response(201, PlanSchema)
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Start a new version of a filed plan; it supersedes this one once filed."""
        new = plans.revise(
            db.session, current_actor(), plans.get(db.session, plan_id), data, today=today()
        )
        db.session.commit()
        return _created(new)


@blp.route("/<int:plan_id>/documents")
class Documents(MethodView):
    @blp.response(201, DocumentSchema)
    @blp.doc(
        requestBody={
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "material": {"type": "string", "enum": sorted(PLAN_MATERIALS)},
                        },
                    }
                }
            }
        }
    )
    def post(self, plan_id: int) -> Any:
        """Upload a PDF, DOCX, PNG or JPEG (type judged by content; size limited by
        ``MAX_DOCUMENT_MB``)."""
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput("send the document as multipart form field 'file'", field="file")
        limit = int(float(current_app.config["MAX_DOCUMENT_MB"]) * 1024 * 1024)
        content = upload.stream.read(limit + 1)
        document = documents.store(
            db.session,
            current_actor(),
            plans.get(db.session, plan_id),
            content=content,
            filename=upload.filename,
            root=current_app.config["DOCUMENTS_DIR"],
            max_bytes=limit,
            material=request.form.get("material", "other"),
        )
        db.session.commit()
        location = url_for("plans.Document", plan_id=plan_id, document_id=document.id)
        return document, 201, {"Location": location}


@blp.route("/<int:plan_id>/documents/<int:document_id>")
class Document(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, plan_id: int, document_id: int) -> Any:
        """Download a document (permission-checked like the plan)."""
        document, path = documents.for_download(
            db.session,
            current_actor(),
            plans.get(db.session, plan_id),
            document_id,
            root=current_app.config["DOCUMENTS_DIR"],
        )
        response = send_file(
            path,
            mimetype=document.content_type,
            as_attachment=True,
            download_name=document.filename,
            etag=document.sha256,
            conditional=True,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@blp.route("/staff")
class Staff(MethodView):
    @blp.arguments(StaffSchema)
    @blp.response(201, StaffSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Let an ``enterprise_staff`` user act for an enterprise."""
        plans.link_staff(db.session, current_actor(), **data)
        db.session.commit()
        return data, 201


class FeasibilityArgs(Schema):
    jurisdiction_id = f.Integer(metadata={"description": "plans of this subtree"})
    plan_id = fields.List(f.Integer(), metadata={"description": "only these plans"})
    only_problems = fields.Boolean(load_default=True)


class ShortfallSchema(Schema):
    kind = fields.String()
    need = fields.String()
    required = fields.Float()
    in_time = fields.Float()
    reason = fields.String()
    standard_min = fields.Float()
    nearest_min = fields.Float(allow_none=True)
    unit = fields.String()


class PlanCheckSchema(Schema):
    plan_id = f.Integer()
    title = fields.String()
    enterprise_id = f.Integer()
    enterprise = fields.String()
    feasible = fields.Boolean()
    shortfalls = fields.List(fields.Nested(ShortfallSchema))


class FeasibilitySchema(Schema):
    checked = f.Integer()
    items = fields.List(fields.Nested(PlanCheckSchema))


@blp.route("/feasibility")
class Feasibility(MethodView):
    @blp.arguments(FeasibilityArgs, location="query")
    @blp.response(200, FeasibilitySchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Filed plans whose teams or materials cannot reach the site within the
        arrival-time standard, with why (road travel times from the loaded road network)."""
        actor = current_actor()
        network = loaded_road_network()
        if network is None:
            raise Unprocessable(
                "road network not loaded: feasibility needs road travel times "
                "(start the app with LOAD_ROADS on and a compiled region)",
                code="roads_not_loaded",
            )
        root = (
            jurisdictions.get(db.session, args["jurisdiction_id"])
            if args.get("jurisdiction_id") is not None
            else None
        )
        checks = feasibility.check_plans(
            db.session,
            actor,
            travel_minutes=feasibility.road_travel(
                network, max_snap_m=float(current_app.config["SNAP_MAX_M"])
            ),
            rules=rules(),
            today=today(),
            root=root,
            plan_ids=args.get("plan_id"),
        )
        shown = [c for c in checks if not (args["only_problems"] and c.feasible)]
        return {"checked": len(checks), "items": shown}
