"""Logging in and out, and a fan's own sign-up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from accounts.roles import Role
from accounts.service import AccountError, authenticate, create_user
from storage.db import transaction
from web.access import SessionUser, public, safe_path
from web.forms import LoginForm, SignupForm

bp = Blueprint("auth", __name__)
# The account service's messages, named here so the catalogue carries their translations.
SERVICE_MESSAGES = (
    _l("wrong e-mail address or password"),
    _l("too many failed attempts; try again in 15 minutes"),
    _l("an account with this e-mail address exists already"),
    _l("that is not an e-mail address"),
    _l("a display name needs 1 to 200 characters"),
)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """The login form; failures are throttled per address and per client."""
    form, error = LoginForm(), None
    if form.validate_on_submit():
        with transaction(current_app.extensions["db_sessions"]) as session:
            result = authenticate(session, form.email.data or "", form.password.data or "", _client(), _now())
        if result.account is not None:
            login_user(SessionUser(result.account))
            return redirect(_safe_next(request.args.get("next")))
        error = result.error
    status = 400 if error or form.errors else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup() -> Any:
    """A fan creates an account and is logged in."""
    form, error = SignupForm(), None
    if form.validate_on_submit():
        try:
            with transaction(current_app.extensions["db_sessions"]) as session:
                account = create_user(
                    session,
                    form.email.data or "",
                    form.password.data or "",
                    Role.FAN,
                    form.display_name.data or "",
                    _now(),
                )
        except AccountError as exc:
            error = str(exc)
        else:
            login_user(SessionUser(account))
            return redirect(url_for("leaderboard.index"))
    status = 400 if error or form.errors else 200
    return render_template("auth/signup.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> Any:
    """End the session (a POST, so a link elsewhere cannot log anyone out)."""
    logout_user()
    return redirect(url_for("leaderboard.index"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a link send fans elsewhere."""
    return safe_path(target, url_for("leaderboard.index"))


def _client() -> str:
    return request.remote_addr or "unknown"


def _now() -> datetime:
    return datetime.now(UTC)
