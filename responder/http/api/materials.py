"""The material catalog (应急物资目录); admins write it, everyone signed in reads it."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api import fields as f
from responder.http.api.common import ListArgs
from responder.http.api.crud import add_crud_routes
from responder.services.resources import MATERIALS

blp = Blueprint("materials", __name__, url_prefix="/api/v1", description="Material catalog")


class MaterialSchema(Schema):
    id = f.Integer(dump_only=True)
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z][a-z0-9_]{1,39}$", error="code must be 2-40 lower-case letters, digits or _"
        ),
    )
    name_zh = f.Text(required=True, validate=validate.Length(min=1, max=100))
    name_en = f.text(100)
    unit = f.Text(required=True, validate=validate.Length(min=1, max=20))
    category = f.text(40)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    verified_at = fields.DateTime(dump_only=True)
    retired_at = fields.DateTime(dump_only=True)


class MaterialArgs(ListArgs):
    category = f.CommaList()


add_crud_routes(blp, MATERIALS, schema=MaterialSchema, args=MaterialArgs, url="/materials")
