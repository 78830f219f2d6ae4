"""Who am I, users (admin) and API tokens."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from responder.errors import NotFound
from responder.http.api import fields as f
from responder.http.auth import current_actor
from responder.models import User, db
from responder.services import accounts
from responder.vocabulary import ROLES

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and tokens")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = f.Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$"))
    display_name = f.text(100)
    role = f.code_of(ROLES, required=True)
    jurisdiction_id = fields.Integer(dump_only=True, allow_none=True)
    jurisdiction_code = f.Text(load_only=True, allow_none=True)
    password = fields.String(
        load_only=True, required=True, validate=validate.Length(min=8, max=200)
    )
    active = fields.Boolean(dump_only=True)


class UserPatch(Schema):
    active = f.Boolean(required=True, metadata={"description": "false: loses access at once"})


class TokenRequest(Schema):
    name = f.text(100, load_default="")
    days = f.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=accounts.MAX_TOKEN_DAYS),
        metadata={"description": "lifetime in days (default: the TOKEN_DAYS setting)"},
    )


class TokenSchema(Schema):
    token = fields.String()
    note = fields.String()
    expires_at = fields.DateTime(allow_none=True)


class TokenInfoSchema(Schema):
    """A token as listed: never its secret."""

    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self) -> Any:
        """The signed-in user."""
        current_actor()
        return g.user


@blp.route("/me/tokens")
class MyTokens(MethodView):
    @blp.response(200, TokenInfoSchema(many=True))
    def get(self) -> Any:
        """Your tokens (without their secrets), newest first."""
        current_actor()
        return accounts.tokens_of(db.session, g.user)

    @blp.arguments(TokenRequest)
    @blp.response(201, TokenSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue a bearer token for yourself; the secret is shown only in this answer."""
        days = data["days"] or int(current_app.config["TOKEN_DAYS"])
        secret = accounts.issue_token(
            db.session, current_actor(), g.user, name=data["name"], days=days
        )
        db.session.commit()
        token = accounts.token_for(db.session, secret)
        expires = token.expires_at if token is not None else None
        note = "store it now; it is not shown again"
        return {"token": secret, "note": note, "expires_at": expires}, 201


@blp.route("/me/tokens/<int:token_id>")
class MyToken(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> Any:
        """Revoke one of your tokens (user managers may revoke anyone's); it stops at once."""
        accounts.revoke_token(db.session, current_actor(), token_id)
        db.session.commit()
        return "", 204


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


@blp.route("/users/<int:user_id>")
class OneUser(MethodView):
    @blp.arguments(UserPatch)
    @blp.response(200, UserSchema)
    def patch(self, data: dict[str, Any], user_id: int) -> Any:
        """Deactivate (or reactivate) a user: deactivated, their sessions end and their
        tokens are refused at once."""
        actor = current_actor()
        actor.require("users.manage")
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        accounts.set_active(db.session, actor, user, active=data["active"])
        db.session.commit()
        return user
