"""``flask users create`` and ``flask users token``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from responder.errors import DomainError
from responder.models import User, db
from responder.services import accounts
from responder.services.actors import SYSTEM
from responder.vocabulary import ROLES

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--jurisdiction",
    "jurisdiction_code",
    default=None,
    help="Administrative code bounding what the user may change (default: all).",
)
@click.option("--name", "display_name", default="")
def create_user_command(
    username: str, role: str, password: str, jurisdiction_code: str | None, display_name: str
) -> None:
    """Create a user."""
    try:
        accounts.create_user(
            db.session,
            SYSTEM,
            username=username,
            password=password,
            role=role,
            jurisdiction_code=jurisdiction_code,
            display_name=display_name,
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"created {role} '{username}'")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli")
def token_command(username: str, name: str) -> None:
    """Issue an API token for a user and print it (shown only once)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user '{username}'")
    secret = accounts.issue_token(db.session, SYSTEM, user, name=name)
    db.session.commit()
    click.echo(secret)
