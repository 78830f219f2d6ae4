"""HTML pages: sign-in, the registry, the audit log (dispatch console, filing dashboard and
drills register their blueprints here too)."""

from __future__ import annotations

from flask import Flask

from responder.http.pages import (
    audit,
    auth_pages,
    dispatch,
    display,
    drills,
    filing,
    jurisdiction_import,
    key_counties,  # noqa: F401  (its route joins the registry blueprint)
    plans,
    registry,
    registry_experts,  # noqa: F401  (its routes join the registry blueprint)
    registry_forms,  # noqa: F401  (likewise)
    registry_import,  # noqa: F401  (likewise)
    registry_jurisdictions,  # noqa: F401  (likewise)
)


def init_app(app: Flask) -> None:
    display.init_app(app)
    app.register_blueprint(auth_pages.bp)
    app.register_blueprint(registry.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(drills.bp)
    app.register_blueprint(dispatch.bp)
    app.register_blueprint(filing.bp)
    app.register_blueprint(jurisdiction_import.bp)
    app.register_blueprint(plans.bp)
