"""``flask demo load``: fill the database with the deterministic demo region."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData
from sqlalchemy.exc import SQLAlchemyError

from responder import demo
from responder.errors import DomainError
from responder.models import db

demo_cli = AppGroup("demo", help="Demo data for the central Hangzhou demo region.")


@demo_cli.command("load")
@click.option(
    "--reset",
    is_flag=True,
    help="Wipe the WHOLE database (every table, the audit log too) and reload.",
)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (exit 0) when the database already holds data."
)
@click.option("--seed", type=int, default=demo.DEFAULT_SEED, show_default=True)
@click.option(
    "--date",
    "today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Load date that anchors expiry/verification dates (default: today).",
)
@click.option(
    "--password",
    envvar="RESPONDER_DEMO_PASSWORD",
    default=None,
    help="One password for every demo user (default: random per user).",
)
@click.option(
    "--logins-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the logins to this file (mode 600).",
)
def load_command(
    reset: bool,
    if_empty: bool,
    seed: int,
    today: datetime | None,
    password: str | None,
    logins_file: Path | None,
) -> None:
    """Load the demo region: jurisdictions, bases, teams, depots, experts, enterprises,
    hazard sources and one user per role.  Same seed and date, same data."""
    present = demo.existing_data(db.session)
    if present and if_empty:
        click.echo("demo: the database already holds data; nothing loaded.")
        return
    if present and not reset:
        summary = ", ".join(f"{n} {name}" for name, n in present.items())
        raise click.ClickException(
            f"the database already holds data ({summary}); use --reset to wipe it and reload"
        )
    if reset:
        _wipe()
    started = time.perf_counter()
    load_date = today.date() if today is not None else date.today()
    try:
        result = demo.load(
            db.session,
            seed=seed,
            today=load_date,
            password=password,
            rules=current_app.extensions["responder.rules"],
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"demo loaded in {elapsed:.1f} s (seed {seed}, date {load_date}):")
    click.echo("  " + ", ".join(f"{n} {name}" for name, n in result.counts.items()))
    text = _logins_text(result.logins)
    click.echo(text)
    if logins_file is not None:
        _write_private(logins_file, text)
        click.echo(f"logins also written to {logins_file}")


def _wipe() -> None:
    """Migrate down to nothing and back up: every table is dropped and recreated empty.

    A database made by an earlier draft of the initial migration cannot be migrated down
    cleanly; then whatever tables it has are dropped as found.
    """
    db.session.remove()
    try:
        downgrade(revision="base")
    except SQLAlchemyError as error:
        click.echo(f"migrating down failed ({type(error).__name__}); dropping the tables found")
        _drop_existing_tables()
    upgrade()
    click.echo("database wiped and migrated afresh")


def _drop_existing_tables() -> None:
    tables = MetaData()
    tables.reflect(bind=db.engine)
    with db.engine.begin() as connection:
        tables.drop_all(bind=connection)


def _logins_text(logins: list[demo.Login]) -> str:
    lines = ["demo logins (username / password / role / jurisdiction):"]
    lines += [f"  {x.username:<14} {x.password:<18} {x.role:<16} {x.jurisdiction}" for x in logins]
    return "\n".join(lines)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    path.chmod(0o600)
