"""``flask filing rebuild-coverage``: recompute the derived plan-coverage table."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from responder.models import db
from responder.services import plan_coverage

filing_cli = AppGroup("filing", help="Filing-rate maintenance.")


@filing_cli.command("rebuild-coverage")
def rebuild_coverage_command() -> None:
    """Recompute every enterprise's plan coverage (run after changing counted_plan_types
    in the rules file, or after loading plans with raw SQL)."""
    rules = current_app.extensions["responder.rules"]
    spans = plan_coverage.rebuild(db.session, rules.counted_plan_types)
    db.session.commit()
    click.echo(f"plan coverage rebuilt: {spans} spans")
