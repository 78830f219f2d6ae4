"""Sign in and out, and the landing page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from responder.models import db
from responder.services import accounts

bp = Blueprint("pages", __name__)


@bp.get("/")
@login_required
def index() -> Any:
    return render_template("index.html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        user = accounts.authenticate(
            db.session, request.form.get("username", ""), request.form.get("password", "")
        )
        if user is None:
            flash(_("用户名或密码错误"), "error")
            return render_template("login.html"), 401
        login_user(user)
        target = request.args.get("next", "")
        return redirect(
            target
            if target.startswith("/") and not target.startswith("//")
            else url_for("pages.index")
        )
    return render_template("login.html")


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    return redirect(url_for("pages.login"))
