"""The Earn API, version 1: JSON over HTTP, authenticated by key and HMAC signature.

Every call carries `Authorization: Bearer <key>`, `Fanfare-Timestamp` and
`Fanfare-Signature` (loyalty/signing.py); every POST an `Idempotency-Key`: the answer to
a key is stored with the credit it made and given again to a retry. Calls are counted
per key and minute in the database, so the limit holds across web workers. Errors are
`{"error": {"code", "message", "details"?}}`. The contract is docs/openapi.json.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app import csrf
from loyalty import earn, signing
from loyalty import redemptions as api_redemptions
from loyalty.earn import ApiError
from loyalty.keys import KeyOwner, authenticate_key
from loyalty.store import increment
from storage import redemptions
from storage.db import transaction
from storage.models.loyalty import ApiIdempotency, ApiRateWindow
from web.access import api_key_auth, public

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
IDEMPOTENCY_KEY_MAX = 200


def _now() -> datetime:
    return datetime.now(UTC)


def _sessions():  # type: ignore[no-untyped-def]
    return current_app.extensions["db_sessions"]


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(ApiError(status, code, message).body())
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    response = jsonify(exc.body())
    response.status_code = exc.status
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    code = (exc.name or "error").lower().replace(" ", "_")
    return _error(exc.code or 500, code, exc.description or exc.name)


@bp.app_errorhandler(HTTPException)
def _routing_error(exc: HTTPException) -> Response | HTTPException:
    """A 404 or 405 under /api/v1 is found before any view runs: answer it in JSON too."""
    if request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/"):
        return _http_error(exc)
    return exc


# -- the guard: key, rate limit, signature, replay ----------------------------------------


def signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Authenticate the caller and hand the view its `KeyOwner`; refuse with JSON otherwise."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not presented:
            return _error(401, "unauthenticated", "send Authorization: Bearer <your API key>")
        now = _now()
        with transaction(_sessions()) as session:
            owner = authenticate_key(session, presented.strip(), now)
            if owner is None:
                return _error(401, "unauthenticated", "the API key is not valid (or revoked)")
            used = increment(
                session, ApiRateWindow, {"key_id": owner.key_id, "window": _minute(now)}, "count"
            )
        limit = int(current_app.config["API_RATE_LIMIT_PER_MINUTE"])
        rate = {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(max(0, limit - used))}
        if used > limit:
            retry = str(60 - now.second)
            return _error(
                429, "rate_limited", f"more than {limit} requests this minute", rate | {"Retry-After": retry}
            )
        refused = _check_signature(presented.strip(), owner, now)
        if refused is not None:
            return refused
        response = current_app.make_response(view(owner, *args, **kwargs))
        response.headers.update(rate)
        return response

    return guarded


def _minute(now: datetime) -> int:
    return int(now.timestamp()) // 60


def _check_signature(key: str, owner: KeyOwner, now: datetime) -> Response | None:
    skew = timedelta(seconds=int(current_app.config["API_SIGNATURE_SKEW_SECONDS"]))
    signed_request = signing.SignedRequest(
        request.method,
        _path(),
        request.headers.get("Fanfare-Timestamp", ""),
        request.headers.get("Idempotency-Key", ""),
        request.get_data(cache=True),
    )
    try:
        nonce = signing.verify(key, signed_request, request.headers.get("Fanfare-Signature", ""), now, skew)
        with transaction(_sessions()) as session:
            signing.remember(session, owner.key_id, nonce, now, skew)
    except signing.SignatureError as exc:
        return _error(401, exc.code, str(exc))
    return None


def _path() -> str:
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


# -- idempotency ---------------------------------------------------------------------------


def _idempotency_key() -> tuple[str, str]:
    """The request's Idempotency-Key and the fingerprint of what it asks."""
    key = request.headers.get("Idempotency-Key", "")
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise ApiError(400, "idempotency_key_required", "send an Idempotency-Key of 1 to 200 characters")
    fingerprint = hashlib.sha256(request.method.encode() + _path().encode() + request.get_data()).hexdigest()
    return key, fingerprint


def _remember(session: Any, owner: KeyOwner, key: str, fingerprint: str, status: int, body: Any) -> None:
    """Store the answer to an idempotency key in the caller's transaction."""
    session.add(
        ApiIdempotency(
            partner_id=owner.partner_id,
            mode=owner.mode,
            idem_key=key,
            request_hash=fingerprint,
            status_code=status,
            response=body,
            created_at=_now(),
        )
    )


def _idempotent(owner: KeyOwner, handler: Callable[[Any], tuple[int, dict[str, Any]]]) -> Response:
    """Run `handler` once per idempotency key; a retry gets the stored answer."""
    key, fingerprint = _idempotency_key()
    stored = _stored(owner, key, fingerprint)
    if stored is not None:
        return stored
    try:
        with transaction(_sessions()) as session:
            status, body = handler(session)
            _remember(session, owner, key, fingerprint, status, body)
    except (ApiError, IntegrityError):
        stored = _stored(owner, key, fingerprint)  # a concurrent twin may have answered meanwhile
        if stored is not None:
            return stored
        raise
    response = jsonify(body)
    response.status_code = status
    return response


def _stored(owner: KeyOwner, key: str, fingerprint: str) -> Response | None:
    with _sessions()() as session:
        row = session.get(ApiIdempotency, (owner.partner_id, owner.mode, key))
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used for a different request")
    response = jsonify(row.response)
    response.status_code = row.status_code
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _json() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "invalid_json", "the body must be JSON (Content-Type: application/json)")
    return body


def _campaigns():  # type: ignore[no-untyped-def]
    current = current_app.extensions["campaigns"].current()
    if current is None:
        raise ApiError(503, "campaigns_unavailable", "no valid campaigns are loaded; try again later")
    return current


# -- the endpoints -------------------------------------------------------------------------


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The API's OpenAPI 3.1 description."""
    return Response(OPENAPI.read_bytes(), mimetype="application/json")


@bp.get("/me")
@api_key_auth
@signed
def me(owner: KeyOwner) -> Any:
    """Which partner and mode the key speaks for (a first call to try a key)."""
    return {"partner": owner.partner_slug, "mode": owner.mode, "campaigns": list(owner.campaigns)}


@bp.post("/purchases")
@api_key_auth
@signed
def purchase(owner: KeyOwner) -> Response:
    """Credit a purchase to a fan; points follow the campaigns' `on: purchase` rules."""
    req = earn.parse_purchase(_json(), _now())
    return _idempotent(owner, lambda s: (201, earn.credit(s, _campaigns(), owner, req, _now())))


@bp.post("/actions")
@api_key_auth
@signed
def action(owner: KeyOwner) -> Response:
    """Credit an action (a visit, a match attended) to a fan: a `checkin` event."""
    req = earn.parse_action(_json(), _now())
    return _idempotent(owner, lambda s: (201, earn.credit(s, _campaigns(), owner, req, _now())))


@bp.get("/purchases/<order>")
@api_key_auth
@signed
def purchase_status(owner: KeyOwner, order: str) -> Any:
    """A credited purchase: points given, and whether it was refunded."""
    with _sessions()() as session:
        return earn.status_of(session, owner, "purchase", order)


@bp.post("/purchases/<order>/refund")
@api_key_auth
@signed
def purchase_refund(owner: KeyOwner, order: str) -> Response:
    """Refund a purchase: its points are taken back."""
    return _idempotent(owner, lambda s: (200, earn.refund(s, _campaigns(), owner, "purchase", order, _now())))


@bp.post("/actions/<reference>/refund")
@api_key_auth
@signed
def action_refund(owner: KeyOwner, reference: str) -> Response:
    """Take back the points of an action credited by mistake."""
    return _idempotent(
        owner, lambda s: (200, earn.refund(s, _campaigns(), owner, "action", reference, _now()))
    )


@bp.post("/redemptions")
@api_key_auth
@signed
def redemption_create(owner: KeyOwner) -> Response:
    """Redeem one of the partner's rewards for a fan: spends the fan's balance, once per key."""
    ref, reward_id = api_redemptions.parse_redemption(_json())
    api_redemptions.live_only(owner)
    key, fingerprint = _idempotency_key()
    stored = _stored(owner, key, fingerprint)
    if stored is not None:
        return stored
    campaigns = _campaigns()
    reward = api_redemptions.own_reward(campaigns, owner, reward_id)
    with _sessions()() as session:
        fan = earn.resolve_fan(session, owner, ref)
    answered: list[dict[str, Any]] = []

    def remember(session: Any, outcome: redemptions.Outcome) -> None:
        answered.append(api_redemptions.answer(outcome, fan))
        _remember(session, owner, key, fingerprint, 201, answered[0])

    outcome = redemptions.redeem(
        _sessions(),
        campaigns,
        fan,
        reward.id,
        now=_now(),
        request_key=f"api:{owner.partner_id}:{key}",
        also=remember,
    )
    if not outcome.done:
        raise api_redemptions.refused(outcome)  # not stored: the request may be retried
    if not answered:  # the same request, sent twice at once, was redeemed by its twin
        twin = _stored(owner, key, fingerprint)
        if twin is not None:
            return twin
        answered.append(api_redemptions.answer(outcome, fan))
    response = jsonify(answered[0])
    response.status_code = 201
    return response


@bp.get("/redemptions")
@api_key_auth
@signed
def redemption_list(owner: KeyOwner) -> Any:
    """The partner's redemptions, newest first (at most 500); `?status=requested` for those to hand over."""
    status = api_redemptions.status_filter(request.args.get("status"))
    with _sessions()() as session:
        rows = redemptions.partner_redemptions(session, owner.partner_slug, status)
        return {"redemptions": [redemptions.describe(row) for row in rows]}


@bp.post("/redemptions/<int(max=9223372036854775807):redemption_id>/deliver")  # a 64-bit id
@api_key_auth
@signed
def redemption_deliver(owner: KeyOwner, redemption_id: int) -> Response:
    """Confirm the reward was handed to the fan; the partner's webhooks hear `reward.delivered`."""
    api_redemptions.live_only(owner)

    def deliver(session: Any) -> tuple[int, dict[str, Any]]:
        try:
            return 200, redemptions.confirm_delivery(session, owner.partner_slug, redemption_id, _now())
        except redemptions.DeliveryError as exc:
            raise ApiError(404 if exc.code == "not_found" else 409, exc.code, str(exc)) from None

    return _idempotent(owner, deliver)
