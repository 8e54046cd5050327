"""A fan links and unlinks social profiles (X, Facebook) through OAuth."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from accounts.roles import Role
from connect import links, oauth
from connect.providers import PLATFORMS, provider
from storage.db import transaction
from storage.linked_profiles import as_written, platform_name
from web.access import role_required
from web.developers import EmptyForm
from web.fan_loyalty import fan_id

bp = Blueprint("connect", __name__, url_prefix="/connect")


def _now() -> datetime:
    return datetime.now(UTC)


def _provider(platform: str):  # type: ignore[no-untyped-def]
    found = provider(current_app.config, platform)
    if found is None:
        abort(404)
    return found


def _campaigns():  # type: ignore[no-untyped-def]
    current = current_app.extensions["campaigns"].current()
    if current is None:
        abort(503)
    return current


def _callback_url(platform: str) -> str:
    return url_for("connect.callback", platform=platform, _external=True)


def linkable() -> list[str]:
    """The platforms this installation can link (their client credentials are configured)."""
    return [p for p in PLATFORMS if provider(current_app.config, p) is not None]


def _profiles_section() -> str:
    return url_for("fan.me", _anchor="profiles-h")


@bp.get("/")
@role_required(Role.FAN)
def index() -> Any:
    """Linked profiles are listed, linked and unlinked in one place: the fan's own page."""
    return redirect(_profiles_section())


@bp.get("/<platform>/start")
@role_required(Role.FAN)
def start(platform: str) -> Any:
    """Send the fan to the platform to approve the link."""
    started = oauth.begin(_provider(platform), _callback_url(platform))
    session[f"connect:{platform}"] = {"state": started.state, "verifier": started.verifier}
    return redirect(started.url)


@bp.get("/<platform>/callback")
@role_required(Role.FAN)
def callback(platform: str) -> Any:
    """The platform sends the fan back here with a code: link the profile."""
    found = _provider(platform)
    kept = session.pop(f"connect:{platform}", None) or {}
    try:
        profile = oauth.finish(
            found,
            _callback_url(platform),
            dict(request.args),
            kept.get("state", ""),
            kept.get("verifier", ""),
            _now(),
        )
        with transaction(current_app.extensions["db_sessions"]) as db:
            links.link(db, _campaigns(), current_app.extensions["token_cipher"], fan_id(), profile, _now())
    except oauth.ConnectError as exc:
        return render_template("fan_loyalty/message.html", message=str(exc)), 400
    key = f"{platform}:{profile.user_id}"
    shown = {"platform": platform_name(key), "name": as_written(key, profile.handle or profile.user_id)}
    flash(_("Your %(platform)s profile %(name)s is linked.", **shown), "success")
    return redirect(_profiles_section())


@bp.post("/<platform>/unlink")
@role_required(Role.FAN)
def unlink(platform: str) -> Any:
    """Stop attributing the profile to the fan and forget its tokens."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction(current_app.extensions["db_sessions"]) as db:
        if not links.unlink(db, _campaigns(), fan_id(), platform, _now()):
            abort(404)
    flash(
        _("Your %(platform)s profile is unlinked.", platform=platform_name(platform)),
        "success",
    )
    return redirect(_profiles_section())
