"""Who am I, users (admin) and API tokens."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from responder.http.api import fields as f
from responder.http.auth import current_actor
from responder.models import User, db
from responder.services import accounts
from responder.vocabulary import ROLES

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and tokens")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$"))
    display_name = f.text(100)
    role = f.code_of(ROLES, required=True)
    jurisdiction_id = fields.Integer(dump_only=True)
    jurisdiction_code = fields.String(load_only=True, allow_none=True)
    password = fields.String(
        load_only=True, required=True, validate=validate.Length(min=8, max=200)
    )
    active = fields.Boolean(dump_only=True)


class TokenRequest(Schema):
    name = f.text(100, load_default="")


class TokenSchema(Schema):
    token = fields.String()
    note = fields.String()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self) -> Any:
        """The signed-in user."""
        current_actor()
        return g.user


@blp.route("/me/tokens")
class MyTokens(MethodView):
    @blp.arguments(TokenRequest)
    @blp.response(201, TokenSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue a bearer token for yourself; the secret is shown only in this answer."""
        secret = accounts.issue_token(db.session, current_actor(), g.user, name=data["name"])
        db.session.commit()
        return {"token": secret, "note": "store it now; it is not shown again"}, 201


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    def get(self) -> Any:
        current_actor().require("users.manage")
        return db.session.scalars(select(User).order_by(User.username)).all()

    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> Any:
        user = accounts.create_user(
            db.session,
            current_actor(),
            username=data["username"],
            password=data["password"],
            role=data["role"],
            jurisdiction_code=data.get("jurisdiction_code"),
            display_name=data.get("display_name", ""),
        )
        db.session.commit()
        return user, 201
