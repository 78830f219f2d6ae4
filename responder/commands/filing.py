"""``flask filing ...``: filing maintenance.

* ``rebuild-coverage`` recomputes the derived plan-coverage table;
* ``check-calendar`` says which years the holiday calendar ships and fails (exit 1) when
  the current or the next year is missing or unverified.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from responder.models import db
from responder.services import plan_coverage
from responder.services.workdays import calendar_warnings, today_in

filing_cli = AppGroup("filing", help="Filing-rate maintenance.")


@filing_cli.command("rebuild-coverage")
def rebuild_coverage_command() -> None:
    """Recompute every enterprise's plan coverage (run after changing counted_plan_types
    in the rules file, or after loading plans with raw SQL)."""
    rules = current_app.extensions["responder.rules"]
    spans = plan_coverage.rebuild(db.session, rules.counted_plan_types)
    db.session.commit()
    click.echo(f"plan coverage rebuilt: {spans} spans")


@filing_cli.command("check-calendar")
def check_calendar_command() -> None:
    """Show the holiday-calendar years in the rules file; exit 1 with a loud warning when
    the current or next year is missing (working-day deadlines would be wrong)."""
    rules = current_app.extensions["responder.rules"]
    for year in sorted(rules.calendar_years.values(), key=lambda y: y.year):
        state = "verified" if year.verified else "UNVERIFIED"
        click.echo(f"{year.year}: {year.source} ({state})")
    warnings = calendar_warnings(rules, today_in(current_app.config["TIMEZONE"]))
    for warning in warnings:
        click.secho(
            f"WARNING: the holiday calendar for {warning.year} is {warning.problem}: add the "
            "State Council notice's days off and make-up workdays to the rules file",
            fg="red",
            bold=True,
            err=True,
        )
    if warnings:
        raise SystemExit(1)
