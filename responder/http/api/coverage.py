"""Coverage (救援圈): shares of roads, enterprises and major hazard sources reached within the
arrival-time standard, what-if with teams away, and where to add the next team."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from responder.http.api import fields as f
from responder.http.auth import current_actor
from responder.http.context import routing_context
from responder.models import db
from responder.services import coverage
from responder.vocabulary import SPECIALTIES

blp = Blueprint("coverage", __name__, url_prefix="/api/v1", description="Coverage (救援圈)")


class IdList(fields.Field):
    """``1,2,3`` in a query string, loaded as a list of integers."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[int]:
        try:
            return [int(part) for part in str(value).split(",") if part.strip()]
        except ValueError as exc:
            raise ValidationError("give team ids separated by commas") from exc


class CoverageArgs(Schema):
    specialty = fields.String(
        validate=validate.OneOf(list(SPECIALTIES)),
        metadata={"description": "one specialty; all of them when omitted"},
    )
    jurisdiction_id = f.Integer(
        metadata={"description": "this jurisdiction (figures also per child); default all"}
    )
    away = IdList(
        load_default=list,
        metadata={"description": "what-if: team ids to count as away (comma-separated)"},
    )


class CountyTargetArgs(Schema):
    jurisdiction_id = f.Integer(
        metadata={"description": "counties in (or the county of) this jurisdiction; default all"}
    )


class SiteArgs(CoverageArgs):
    specialty = f.code_of(SPECIALTIES, required=True)
    k = f.Integer(load_default=3, validate=validate.Range(1, 50))
    candidates = fields.String(
        load_default="registry", validate=validate.OneOf(["registry", "nodes"])
    )
    mobilization_min = fields.Float(allow_nan=False, validate=validate.Range(0, 240))


@blp.route("/coverage")
class Coverage(MethodView):
    @blp.arguments(CoverageArgs, location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> Any:
        """Coverage per specialty (one multi-source search each) in a jurisdiction; with
        ``away``, the what-if figures and the hazard sources that become uncovered."""
        actor = current_actor()
        ctx = routing_context()
        specialties = [args["specialty"]] if "specialty" in args else list(SPECIALTIES)
        results = [
            coverage.coverage(
                db.session,
                actor,
                ctx,
                specialty=specialty,
                jurisdiction_id=args.get("jurisdiction_id"),
                away=args["away"],
            ).figures
            for specialty in specialties
        ]
        return {"specialties": results}


@blp.route("/coverage/sites")
class CoverageSites(MethodView):
    @blp.arguments(SiteArgs, location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> Any:
        """Where to add the next team of a specialty: the best ``k`` sites (existing bases
        and depots, or any road node) by greedy maximal covering of the major hazard sources
        still uncovered, each with its gain."""
        return coverage.suggest_sites(
            db.session,
            current_actor(),
            routing_context(),
            specialty=args["specialty"],
            jurisdiction_id=args.get("jurisdiction_id"),
            k=args["k"],
            candidates=args["candidates"],
            mobilization_min=args.get("mobilization_min"),
            away=args["away"],
        )


@blp.route("/coverage/counties")
class CountyTargets(MethodView):
    @blp.arguments(CountyTargetArgs, location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> Any:
        """Per county: professional teams and rescue bases against the minimum in the rules
        and, for key counties (危化品/矿山重点县), the share of enterprises and major hazard
        sources the key specialty reaches within its standard, against 100%."""
        return coverage.county_targets(
            db.session,
            current_actor(),
            routing_context(),
            jurisdiction_id=args.get("jurisdiction_id"),
        )
