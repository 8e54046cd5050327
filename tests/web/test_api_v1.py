"""The Earn API over HTTP: keys, signatures, replays, idempotency, refunds, sandbox, limits."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from loyalty.identities import add_identity, confirm
from storage.db import transaction
from storage.models.core import Fan, LedgerEntry
from tests.loyalty_fixtures import call, make_fan, make_partner

PURCHASE = {"order": "A-1001", "amount": "12.50", "currency": "EUR"}


@pytest.fixture
def setup(loyalty_app):  # type: ignore[no-untyped-def]
    return make_partner(loyalty_app), make_fan(loyalty_app)


def _points(app, fan: str) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["db_sessions"]() as session:
        return session.scalar(select(Fan.lifetime_points).where(Fan.id == fan)) or 0


def test_a_purchase_earns_by_the_partner_s_campaign_rules(loyalty_app, loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, fan = setup
    response = call(
        loyalty_client, keys["live"], "POST", "/api/v1/purchases", PURCHASE | {"fan": {"id": fan}}, idem="k1"
    )
    assert response.status_code == 201, response.json
    # 12.50 × rate 2 = 25 in acme-autumn; other-brand's purchase rule is not this partner's campaign.
    assert response.json == {
        "id": "partner:acme-shop:purchase:A-1001",
        "status": "credited",
        "mode": "live",
        "fan": fan,
        "points": 25,
        "entries": [{"campaign": "acme-autumn", "source": "rule:buy", "points": 25, "note": ""}],
    }
    assert _points(loyalty_app, fan) == 25


def test_a_retried_request_never_credits_twice(loyalty_app, loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, fan = setup
    body = PURCHASE | {"fan": {"id": fan}}
    base = int(time.time())  # a retry is signed anew: another timestamp
    first = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", body, idem="k1", ts=base)
    again = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", body, idem="k1", ts=base - 1)
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    other_key = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", body, idem="k2")
    assert other_key.status_code == 409 and other_key.json["error"]["code"] == "already_credited"
    changed = call(
        loyalty_client, keys["live"], "POST", "/api/v1/purchases", body | {"amount": "99"}, idem="k1"
    )
    assert changed.status_code == 422 and changed.json["error"]["code"] == "idempotency_key_reused"
    assert _points(loyalty_app, fan) == 25
    with loyalty_app.extensions["db_sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_a_refund_retracts_the_points_once(loyalty_app, loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, fan = setup
    call(
        loyalty_client, keys["live"], "POST", "/api/v1/purchases", PURCHASE | {"fan": {"id": fan}}, idem="k1"
    )
    refund = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases/A-1001/refund", idem="r1")
    assert refund.status_code == 200, refund.json
    assert (refund.json["status"], refund.json["points"]) == ("refunded", -25)
    assert _points(loyalty_app, fan) == 0
    twice = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases/A-1001/refund", idem="r2")
    assert twice.status_code == 409 and twice.json["error"]["code"] == "already_refunded"
    status = call(loyalty_client, keys["live"], "GET", "/api/v1/purchases/A-1001")
    assert status.json["points"] == 25 and status.json["refunded_at"] is not None
    missing = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases/NOPE/refund", idem="r3")
    assert missing.status_code == 404


def test_a_fan_is_named_by_an_e_mail_only_once_confirmed(loyalty_app, loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, fan = setup
    body = PURCHASE | {"fan": {"email": "Anna@Example.org"}}
    base = int(time.time())
    refused = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", body, idem="k1", ts=base)
    assert refused.status_code == 404 and refused.json["error"]["code"] == "fan_not_found"
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        token = add_identity(session, fan, "email", "anna@example.org", _now())
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        confirm(session, fan, token, _now())
    accepted = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", body, idem="k1", ts=base - 1)
    assert accepted.status_code == 201 and accepted.json["fan"] == fan


def test_an_action_is_a_checkin_under_the_checkin_rules(loyalty_app, loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, fan = setup
    body = {"fan": {"id": fan}, "action": "visit", "reference": "till-3:0042"}
    response = call(loyalty_client, keys["live"], "POST", "/api/v1/actions", body, idem="a1")
    assert response.status_code == 201
    assert response.json["entries"] == [
        {"campaign": "acme-autumn", "source": "rule:visit", "points": 20, "note": ""}
    ]


def test_sandbox_keys_credit_test_fans_and_change_no_balance(loyalty_app, loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, fan = setup
    body = PURCHASE | {"fan": {"handle": "@test_fan_2"}}
    response = call(loyalty_client, keys["sandbox"], "POST", "/api/v1/purchases", body, idem="s1")
    assert response.status_code == 201
    assert (response.json["mode"], response.json["fan"], response.json["points"]) == (
        "sandbox",
        "test-fan-2",
        25,
    )
    refund = call(loyalty_client, keys["sandbox"], "POST", "/api/v1/purchases/A-1001/refund", idem="s2")
    assert refund.json["points"] == -25
    real = call(
        loyalty_client,
        keys["sandbox"],
        "POST",
        "/api/v1/purchases",
        PURCHASE | {"fan": {"id": fan}},
        idem="s3",
    )
    assert real.status_code == 404
    with loyalty_app.extensions["db_sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
        assert session.get(Fan, "test-fan-2") is None


def test_invalid_fields_are_all_reported(loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, _ = setup
    body = {"fan": {"id": "x", "email": "y"}, "order": "", "amount": "12.505", "colour": "red"}
    response = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", body, idem="k1")
    assert response.status_code == 422
    assert response.json["error"]["details"] == [
        {"field": "fan", "message": 'one of {"id"}, {"email"} or {"handle"}'},
        {"field": "order", "message": "a non-empty string of at most 200 characters"},
        {"field": "amount", "message": 'a positive decimal string such as "12.50"'},
        {"field": "currency", "message": "required"},
        {"field": "colour", "message": "unknown field"},
    ]
    no_key = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", PURCHASE | {"fan": {"id": "x"}})
    assert no_key.status_code == 400 and no_key.json["error"]["code"] == "idempotency_key_required"


def test_unsigned_forged_stale_and_replayed_requests_are_refused(loyalty_client, setup) -> None:  # type: ignore[no-untyped-def]
    keys, _ = setup
    anonymous = loyalty_client.get("/api/v1/me")
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthenticated"
    forged = call(loyalty_client, keys["live"], "GET", "/api/v1/me", ts=int(time.time()) - 5)
    forged_headers = dict(forged.request.headers)
    forged_headers["Fanfare-Signature"] = "v1=" + "0" * 64
    assert (
        loyalty_client.get("/api/v1/me", headers=forged_headers).json["error"]["code"] == "invalid_signature"
    )
    stale = call(loyalty_client, keys["live"], "GET", "/api/v1/me", ts=int(time.time()) - 301)
    assert stale.status_code == 401 and stale.json["error"]["code"] == "stale_timestamp"
    ts = int(time.time())
    assert call(loyalty_client, keys["live"], "GET", "/api/v1/me", ts=ts).json["partner"] == "acme-shop"
    replay = call(loyalty_client, keys["live"], "GET", "/api/v1/me", ts=ts)
    assert replay.status_code == 401 and replay.json["error"]["code"] == "replayed"
    wrong_key = call(loyalty_client, keys["live"][:-2] + "xx", "GET", "/api/v1/me")
    assert wrong_key.status_code == 401


def test_each_key_is_rate_limited_per_minute(loyalty_app, loyalty_client, setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import web.api_v1

    monkeypatch.setattr(web.api_v1, "_minute", lambda now: 29_000_000)  # one minute, however long the test
    loyalty_app.config["API_RATE_LIMIT_PER_MINUTE"] = 3
    keys, _ = setup
    base = int(time.time())
    answers = [call(loyalty_client, keys["live"], "GET", "/api/v1/me", ts=base - i) for i in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[2].headers["RateLimit-Remaining"] == "0"
    assert answers[3].json["error"]["code"] == "rate_limited" and "Retry-After" in answers[3].headers
    assert call(loyalty_client, keys["sandbox"], "GET", "/api/v1/me").status_code == 200  # its own budget


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_sandbox_partner_without_campaigns_tries_every_campaign(loyalty_app, loyalty_client) -> None:  # type: ignore[no-untyped-def]
    keys = make_partner(loyalty_app, "fc-north", live=False, campaigns=())
    body = PURCHASE | {"fan": {"id": "test-fan-1"}}
    response = call(loyalty_client, keys["sandbox"], "POST", "/api/v1/purchases", body, idem="s1")
    # acme-autumn: 12.50 × 2 = 25; other-brand: 1 point per purchase.
    assert [(e["campaign"], e["points"]) for e in response.json["entries"]] == [
        ("acme-autumn", 25),
        ("other-brand", 1),
    ]


def test_unknown_api_routes_and_methods_answer_in_json(loyalty_client) -> None:  # type: ignore[no-untyped-def]
    # Found by the API fuzzer: routing errors are raised before the blueprint's handlers.
    missing = loyalty_client.post("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = loyalty_client.post("/api/v1/me")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"
    page = loyalty_client.get("/no-such-page")
    assert page.status_code == 404 and not page.is_json
