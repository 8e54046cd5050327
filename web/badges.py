"""Open Badges endpoints (public): issuer, badge classes, images, assertions, signing key.

These are what a badge backpack fetches to verify a hosted assertion, so they need
no login and allow any origin. The documents are built from campaigns.yaml and the
stored exports under `BADGES_BASE_URL` (default: the URL the request came to).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from accounts.roles import Role
from engine.rules.model import Badge, Campaign
from gamification import openbadges as ob
from gamification.keys import load_or_create, public_jwk
from storage.badge_exports import ExportError, export_badge, find_assertion
from web.access import public, role_required

bp = Blueprint("badges", __name__, url_prefix="/badges")


def issuer_for(app: Flask, base_url: str | None = None) -> ob.Issuer:
    """The issuer of this deployment's badges, under the configured base URL."""
    base = (app.config.get("BADGES_BASE_URL") or base_url or "http://127.0.0.1:5000").rstrip("/")
    return ob.Issuer(
        base_url=base,
        name=app.config.get("BADGES_ISSUER_NAME", "Fanfare"),
        url=app.config.get("BADGES_ISSUER_URL") or base,
        email=app.config.get("BADGES_ISSUER_EMAIL"),
    )


def signing_key(app: Flask):  # type: ignore[no-untyped-def]
    """The issuer's signing key, loaded once per process."""
    if "badges_key" not in app.extensions:
        app.extensions["badges_key"] = load_or_create(app.config.get("BADGES_SIGNING_KEY"), app.instance_path)
    return app.extensions["badges_key"]


def find_badge(campaign_id: str, badge_id: str) -> tuple[Campaign, Badge] | None:
    """A badge of a campaign in force."""
    current = current_app.extensions["campaigns"].current()
    campaign = current.campaign(campaign_id) if current else None
    badge = next((b for b in campaign.badges if b.id == badge_id), None) if campaign else None
    return (campaign, badge) if campaign and badge else None


def _issuer() -> ob.Issuer:
    return issuer_for(current_app, request.host_url)  # type: ignore[arg-type]


def _json(document: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(document, indent=1, ensure_ascii=False)
    response = Response(body, status=status, mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/issuer.json")
@public
def issuer() -> Response:
    return _json(ob.issuer_profile(_issuer()))


@bp.get("/jwks.json")
@public
def jwks() -> Response:
    key = public_jwk(signing_key(current_app))  # type: ignore[arg-type]
    return _json({"keys": [{**key, "kid": _issuer().key_id}]})


@bp.get("/<campaign_id>/<badge_id>.json")
@public
def badge_class(campaign_id: str, badge_id: str) -> Response:
    found = find_badge(campaign_id, badge_id) or abort(404)
    return _json(ob.badge_class(_issuer(), *found))


@bp.get("/<campaign_id>/<badge_id>.svg")
@public
def badge_image(campaign_id: str, badge_id: str) -> Response:
    campaign, badge = find_badge(campaign_id, badge_id) or abort(404)
    initials = "".join(word[0] for word in badge.name.split()[:2]).upper()
    svg = render_template("badges/badge.svg", badge=badge, campaign=campaign, initials=initials)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _stored(assertion_id: str) -> tuple[Any, ob.Exported, Campaign, Badge]:
    with current_app.extensions["db_sessions"]() as session:
        stored = find_assertion(session, assertion_id)
    if stored is None:
        abort(404)
    row, exported = stored
    found = find_badge(row.campaign_id, row.badge_id) or abort(404)
    return row, exported, *found


@bp.get("/assertions/<assertion_id>.json")
@public
def assertion(assertion_id: str) -> Response:
    row, exported, campaign, badge = _stored(assertion_id)
    issuer = _issuer()
    if row.revoked:  # Open Badges 2.0: a revoked hosted assertion answers 410 with the reason
        gone = {"@context": ob.OB2_CONTEXT, "id": ob.assertion_url(issuer, row.id), "type": "Assertion"}
        return _json({**gone, "revoked": True, "revocationReason": row.revocation_reason}, 410)
    return _json(ob.assertion(issuer, campaign, badge, exported))


@bp.get("/assertions/<assertion_id>.jwt")
@public
def credential(assertion_id: str) -> Response:
    """The Open Badges 3.0 credential of an exported badge, signed (a VC-JWT)."""
    row, exported, campaign, badge = _stored(assertion_id)
    if row.revoked:
        abort(410)
    token = ob.signed_credential(_issuer(), signing_key(current_app), campaign, badge, exported)
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.post("/export")
@role_required(Role.FAN)
def export() -> str:
    """A fan takes an earned badge along: the hosted assertion for their login e-mail (published
    only as a salted hash), for a backpack to import by URL, and the signed 3.0 credential."""
    campaign_id, badge_id = request.form.get("campaign", ""), request.form.get("badge", "")
    found = find_badge(campaign_id, badge_id) or abort(404)
    account = current_user.account
    try:
        exported = export_badge(
            current_app.extensions["db_sessions"],
            account.fan_id or "",
            campaign_id,
            badge_id,
            identity_type="email",
            identity=account.email,
            now=datetime.now(UTC),
        )
    except ExportError:
        abort(404)  # not earned by this fan
    issuer = _issuer()
    return render_template(
        "badges/exported.html",
        badge=found[1],
        campaign=found[0],
        assertion_url=ob.assertion_url(issuer, exported.id),
        credential_url=url_for("badges.credential", assertion_id=exported.id),
    )
