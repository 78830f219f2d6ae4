"""Command-line entry points (``flask --app wsgi ...``): thin wrappers over services."""

from __future__ import annotations

from flask import Flask

from responder.commands import demo, filing, jurisdictions, registry, roads, users


def init_app(app: Flask) -> None:
    app.cli.add_command(users.users_cli)
    app.cli.add_command(demo.demo_cli)
    app.cli.add_command(registry.registry_cli)
    app.cli.add_command(roads.roads_cli)
    app.cli.add_command(filing.filing_cli)
    app.cli.add_command(jurisdictions.jurisdictions_cli)
    app.cli.add_command(jurisdictions.onboard_command)
