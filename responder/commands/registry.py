"""``flask registry import KIND FILE``: the bulk import of the API, from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from responder.crs import CRS_CODES, DEFAULT_CRS
from responder.errors import DomainError
from responder.models import User, db
from responder.models.base import begin_write
from responder.services import accounts, imports
from responder.services.actors import SYSTEM, Actor
from responder.services.sheet_loaders import loader_for
from responder.services.sheets import SHEETS, VALIDATORS_KEY

registry_cli = AppGroup("registry", help="Bulk import of registry records.")


def _actor(username: str | None) -> Actor:
    if username is None:
        return SYSTEM
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user '{username}'")
    return accounts.actor_for(user)


@registry_cli.command("import")
@click.argument("kind", type=click.Choice(list(SHEETS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "username",
    default=None,
    help="Import with this user's role and jurisdiction (default: system, all).",
)
@click.option(
    "--crs",
    type=click.Choice(list(CRS_CODES)),
    default=DEFAULT_CRS,
    show_default=True,
    help="Datum of the file's lon/lat (gcj02: 高德/腾讯, bd09: 百度); stored as WGS-84.",
)
def import_command(kind: str, file: Path, username: str | None, crs: str) -> None:
    """Import every row of a CSV or XLSX FILE as KIND records, or none of them.

    Columns are the API field names or their Chinese aliases (see responder/services/sheets.py).
    """
    sheet = SHEETS[kind]
    actor = _actor(username)
    try:
        actor.require(sheet.kind.permission)
        table = imports.read_table(
            file.read_bytes(),
            aliases=sheet.aliases(),
            ignored=sheet.ignored(),
            limits=imports.UploadLimits.from_config(current_app.config),
        )
        table = imports.to_wgs84_table(table, crs)
        begin_write(db.session)
        with click.progressbar(length=len(table.rows), label=f"importing {kind}") as bar:
            report = imports.import_rows(
                db.session,
                actor,
                sheet.kind.entity,
                table,
                loader_for(sheet, current_app.extensions[VALIDATORS_KEY]),
                source=file.name,
                progress=bar.update,
            )
    except DomainError as error:
        db.session.rollback()
        for problem in error.details or []:
            click.echo(
                f"row {problem['row']}, column {problem['column']}: {problem['message']}", err=True
            )
        raise click.ClickException(error.message) from error
    db.session.commit()
    counts = ", ".join(f"{n} {entity}" for entity, n in report.created.items())
    click.echo(f"imported {report.rows} rows: {counts}")
