"""Sign in and out, and the landing page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from responder.http.auth import throttle_settings
from responder.models import db
from responder.services import accounts

bp = Blueprint("pages", __name__)


def safe_next(target: str) -> str | None:
    """``target`` if it is a path on this site, else None.

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so ``/\\t/evil``
    or ``/\\evil`` would leave the site: anything with a control character, a space or a
    backslash is refused, as is anything with a scheme or a host.
    """
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.get("/")
@login_required
def index() -> Any:
    """Operators land on the incident board (their night starts there); others on the index."""
    if current_user.role == "operator":
        return redirect(url_for("dispatch_pages.board"))
    return render_template("index.html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        try:
            user = accounts.authenticate(
                db.session,
                request.form.get("username", ""),
                request.form.get("password", ""),
                address=request.remote_addr or "",
                throttle=throttle_settings(current_app),
            )
        except accounts.TooManyAttempts as error:
            flash(_("登录失败次数过多，请稍后再试"), "error")
            headers = {"Retry-After": str(error.retry_after_s)}
            return render_template("login.html"), 429, headers
        if user is None:
            flash(_("用户名或密码错误"), "error")
            return render_template("login.html"), 401
        login_user(user)
        return redirect(safe_next(request.args.get("next", "")) or url_for("pages.index"))
    return render_template("login.html")


@bp.post("/logout")
def logout() -> Any:
    """Sign out: the session ends on the server too, so a copied cookie stops working."""
    if current_user.is_authenticated:
        accounts.end_sessions(db.session, current_user)
        db.session.commit()
    logout_user()
    return redirect(url_for("pages.login"))
