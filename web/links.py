"""Tracked share links: the public redirect `/l/<code>` and a fan's own links page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.roles import Role
from connectors.tracked_links import LinkError, issue_link, link_clicks, record_click
from storage.db import transaction
from web.access import public, role_required

bp = Blueprint("links", __name__)


@bp.get("/l/<code>")
@public
def follow(code: str) -> Any:
    """Count the click-back (once per visitor per day) and send the visitor on; 404 for unknown codes."""
    with transaction(current_app.extensions["db_sessions"]) as session:
        target = record_click(
            session,
            code,
            current_app.config["SECRET_KEY"],
            request.remote_addr or "",
            request.headers.get("User-Agent", ""),
            datetime.now(UTC),
        )
    if target is None:
        abort(404)
    response = redirect(target, code=302)
    response.headers["Referrer-Policy"] = "no-referrer"  # the code stays out of the target's logs
    response.headers["Cache-Control"] = "no-store"  # every visit must reach the counter
    return response


@bp.get("/me/links")
@role_required(Role.FAN)
def mine() -> str:
    """The fan's links with their click-backs, and a link to make for each campaign with content."""
    fan_id = current_user.account.fan_id
    with current_app.extensions["db_sessions"]() as session:
        rows = link_clicks(session, fan_id=fan_id) if fan_id else []
    base = current_app.config["TRACKED_LINK_BASE"]
    return render_template(
        "links/mine.html", rows=rows, base=base, targets=current_app.config["TRACKED_LINK_TARGETS"]
    )


@bp.post("/me/links")
@role_required(Role.FAN)
def make() -> Any:
    """A new link for one of the campaigns the brand gave content for (never a target the fan types)."""
    campaign = request.form.get("campaign", "")
    target = current_app.config["TRACKED_LINK_TARGETS"].get(campaign)
    fan_id = current_user.account.fan_id
    if target is None or fan_id is None:
        abort(400)
    try:
        with transaction(current_app.extensions["db_sessions"]) as session:
            issue_link(session, fan_id, campaign, target, datetime.now(UTC))
    except LinkError:
        abort(400)
    return redirect(url_for("links.mine"))
