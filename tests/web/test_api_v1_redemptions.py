"""Redemptions through the Earn API: a partner's own rewards, delivery, webhooks, and races."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func, select, update

from loyalty.webhooks import subscribe
from storage.db import make_sessionmaker, transaction
from storage.encryption import TokenCipher
from storage.models.core import Fan, LedgerEntry
from storage.models.gamification import Redemption, RewardCounter
from storage.models.loyalty import Partner, WebhookDelivery
from storage.redemptions import redeem
from tests.loyalty_fixtures import call, loyalty_app_on, make_fan, make_partner

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def give_points(app, fan: str, points: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(app.extensions["db_sessions"]) as session:
        session.execute(update(Fan).where(Fan.id == fan).values(lifetime_points=points))


@pytest.fixture
def shop(loyalty_app):  # type: ignore[no-untyped-def]
    keys, fan = make_partner(loyalty_app), make_fan(loyalty_app)
    give_points(loyalty_app, fan, 60)
    return keys, fan


def redeem_call(client, key: str, fan: str, reward: str, idem: str, ts: int | None = None):  # type: ignore[no-untyped-def]
    body = {"fan": {"id": fan}, "reward": reward}
    return call(client, key, "POST", "/api/v1/redemptions", body, idem=idem, ts=ts)


def test_a_partner_redeems_its_reward_for_a_fan_and_confirms_delivery(
    loyalty_app, loyalty_client, shop
) -> None:  # type: ignore[no-untyped-def]
    keys, fan = shop
    cipher = TokenCipher(Fernet.generate_key().decode())
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        partner = session.scalar(select(Partner).where(Partner.slug == "acme-shop"))
        subscribe(
            session,
            cipher,
            partner.id,
            "https://shop.example/h",
            ["reward.redeemed", "reward.delivered"],
            NOW,
        )
    base = int(time.time())
    first = redeem_call(loyalty_client, keys["live"], fan, "coffee", "r1", base)
    assert first.status_code == 201, first.json
    assert first.json == {
        "id": 1,
        "fan": fan,
        "reward": "coffee",
        "cost": 20,
        "status": "requested",
        "balance": 40,
    }
    retry = redeem_call(loyalty_client, keys["live"], fan, "coffee", "r1", base - 1)
    assert (retry.status_code, retry.json, retry.headers["Idempotent-Replayed"]) == (201, first.json, "true")
    listed = call(loyalty_client, keys["live"], "GET", "/api/v1/redemptions?status=requested")
    assert [(r["id"], r["fan"], r["status"]) for r in listed.json["redemptions"]] == [(1, fan, "requested")]

    delivered = call(loyalty_client, keys["live"], "POST", "/api/v1/redemptions/1/deliver", idem="d1")
    assert (delivered.status_code, delivered.json["status"]) == (200, "delivered")
    twice = call(loyalty_client, keys["live"], "POST", "/api/v1/redemptions/1/deliver", idem="d2")
    assert (twice.status_code, twice.json["error"]["code"]) == (409, "already_delivered")
    missing = call(loyalty_client, keys["live"], "POST", "/api/v1/redemptions/99/deliver", idem="d3")
    assert missing.status_code == 404
    assert call(
        loyalty_client, keys["live"], "GET", "/api/v1/redemptions?status=requested", ts=base - 2
    ).json == {"redemptions": []}
    with loyalty_app.extensions["db_sessions"]() as session:
        sent = session.execute(select(WebhookDelivery.message_id, WebhookDelivery.payload)).all()
        spent = session.scalar(select(Fan.spent_points).where(Fan.id == fan))
    assert [(m, p["status"]) for m, p in sent] == [
        ("reward.redeemed:redemption:1", "requested"),
        ("reward.delivered:redemption:1", "delivered"),
    ]
    assert spent == 20


def test_refusals_name_the_limit_and_may_be_retried(loyalty_app, loyalty_client, shop) -> None:  # type: ignore[no-untyped-def]
    keys, fan = shop
    live = keys["live"]
    assert redeem_call(loyalty_client, live, fan, "coffee", "a").json["balance"] == 40
    assert redeem_call(loyalty_client, live, fan, "coffee", "b").json["balance"] == 20
    limit = redeem_call(loyalty_client, live, fan, "coffee", "c")
    assert (limit.status_code, limit.json["error"]) == (
        409,
        {"code": "limit_reached", "message": "limit of 2 per fan reached"},
    )
    other = make_fan(loyalty_app, "ben@example.org", "Ben")
    give_points(loyalty_app, other, 10)
    # The retry is stamped a second earlier than the refusal, whenever the clock ticks,
    # so the two never share a signature (that would be a replay, refused as such).
    stamp = int(time.time())
    poor = redeem_call(loyalty_client, live, other, "coffee", "d", stamp)
    assert (poor.status_code, poor.json["error"]["code"]) == (409, "not_enough_points")
    give_points(loyalty_app, other, 25)
    again = redeem_call(loyalty_client, live, other, "coffee", "d", stamp - 1)  # refusals aren't stored
    assert (again.status_code, again.json["balance"]) == (201, 5)
    codes = [
        (r.status_code, r.json["error"]["code"])
        for r in (
            redeem_call(loyalty_client, live, fan, "scarf", "e"),  # another partner's
            redeem_call(loyalty_client, live, fan, "sticker", "f"),  # the programme's own
            redeem_call(loyalty_client, live, fan, "tv", "g"),
            redeem_call(loyalty_client, keys["sandbox"], fan, "coffee", "h"),
            redeem_call(loyalty_client, live, "nobody", "coffee", "i"),
        )
    ]
    assert codes == [
        (403, "not_your_reward"),
        (403, "not_your_reward"),
        (404, "reward_not_found"),
        (403, "live_key_required"),
        (404, "fan_not_found"),
    ]
    with loyalty_app.extensions["db_sessions"]() as session:
        refused = session.scalars(select(Redemption.reason).where(Redemption.status == "refused")).all()
    assert refused == ["limit of 2 per fan reached", "balance 10 is less than the cost 20"]


@pytest.fixture
def shared_app(db_engine: Engine, tmp_path):  # type: ignore[no-untyped-def]
    """The app on the test's database (SQLite or PostgreSQL)."""
    app = loyalty_app_on(db_engine.url.render_as_string(hide_password=False), tmp_path)
    yield app
    app.extensions["db_engine"].dispose()


def test_api_and_page_redemptions_at_once_keep_every_limit(shared_app, db_engine: Engine) -> None:  # type: ignore[no-untyped-def]
    keys = make_partner(shared_app)
    fans = [make_fan(shared_app, f"fan{i}@example.org", f"Fan {i}") for i in range(4)]
    for fan in fans:
        give_points(shared_app, fan, 50)
    campaigns = shared_app.extensions["campaigns"].current()
    sessions = make_sessionmaker(db_engine)
    # per fan: 3 coffees through the API (each sent 3 times with its key) and 12 stickers from the page
    api = [(fan, f"{fan}-{n}") for fan in fans for n in range(3) for _ in range(3)]
    page = [(fan, "") for fan in fans for _ in range(12)]
    work = [item for pair in zip(api, page[: len(api)], strict=True) for item in pair] + page[len(api) :]
    base, workers = int(time.time()), 12
    start = threading.Barrier(workers)
    started: set[str] = set()
    local = threading.local()

    def one(numbered: tuple[int, tuple[str, str]]) -> tuple[str, int, int | None]:
        number, (fan, key) = numbered
        if threading.current_thread().name not in started:
            started.add(threading.current_thread().name)
            start.wait(timeout=30)
        if not key:  # the fan's page calls the service itself
            redeem(sessions, campaigns, fan, "sticker", now=NOW)
            return "", 0, None
        if not hasattr(local, "client"):
            local.client = shared_app.test_client()
        response = redeem_call(local.client, keys["live"], fan, "coffee", key, base - number)
        return key, response.status_code, (response.json or {}).get("id")

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, enumerate(work)))
    answers: dict[str, set[tuple[int, int | None]]] = {}
    for key, status, ident in results:
        if key:
            answers.setdefault(key, set()).add((status, ident))
    with db_engine.connect() as conn:
        coffees = dict(
            conn.execute(
                select(Redemption.fan_id, func.count())
                .where(Redemption.status == "done", Redemption.reward_id == "coffee")
                .group_by(Redemption.fan_id)
            ).all()
        )
        stickers = dict(
            conn.execute(
                select(Redemption.fan_id, func.count())
                .where(Redemption.status == "done", Redemption.reward_id == "sticker")
                .group_by(Redemption.fan_id)
            ).all()
        )
        counter = conn.scalar(select(RewardCounter.redeemed).where(RewardCounter.reward_id == "coffee"))
        spent = dict(conn.execute(select(Fan.id, Fan.spent_points)).all())
        ledger = dict(
            conn.execute(
                select(LedgerEntry.fan_id, func.sum(LedgerEntry.points)).group_by(LedgerEntry.fan_id)
            ).all()
        )
    granted = {key for key, seen in answers.items() if any(status == 201 for status, _ in seen)}
    # every retry of a redeemed key got the same redemption (a refused one may be told 409 or 201)
    for key in granted:
        assert {ident for status, ident in answers[key] if status == 201} != {None}
        assert len({ident for status, ident in answers[key] if status == 201}) == 1
    assert len(granted) == sum(coffees.values()) == counter <= 5
    for fan in fans:
        assert coffees.get(fan, 0) <= 2
        assert spent[fan] == 20 * coffees.get(fan, 0) + 5 * stickers.get(fan, 0) == -ledger[fan]
        assert 0 <= 50 - spent[fan] < 5  # never below zero; more stickers were asked than anyone could pay
