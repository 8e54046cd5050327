"""Redemptions on SQLite and PostgreSQL: through the ledger, and no limit broken under concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func, select

from accounts.privacy import Subject
from loyalty.partners import NewPartner, create_partner
from loyalty.webhooks import subscribe
from storage.db import make_sessionmaker, transaction
from storage.encryption import TokenCipher
from storage.models.core import Fan, LedgerEntry
from storage.models.gamification import Redemption, RewardCounter
from storage.models.loyalty import WebhookDelivery
from storage.redemptions import (
    DeliveryError,
    RedemptionError,
    confirm_delivery,
    erase_redemptions,
    export_redemptions,
    fan_redemptions,
    partner_redemptions,
    redeem,
)
from tests.factories import campaigns

NOW = datetime(2026, 12, 10, 12, tzinfo=UTC)
CS = campaigns("""
    version: 1
    rewards:
      - {id: mug, name: Enamel mug, cost: 15, stock: 3, per_fan: 1}
      - {id: sticker, name: Sticker, cost: 5}
      - {id: poster, name: Poster, cost: 10, per_fan: 2}
      - {id: coffee, name: Free coffee, cost: 8, stock: 5, per_fan: 1, partner: acme-shop}
    campaigns:
      - id: c
""")


def add_fans(engine: Engine, points: dict[str, int]) -> None:
    with transaction(make_sessionmaker(engine)) as session:
        for fan, lifetime in points.items():
            session.add(Fan(id=fan, lifetime_points=lifetime, spent_points=0, created_at=NOW))


def test_redeeming_spends_through_the_ledger_and_refusals_keep_their_reason(db_engine: Engine) -> None:
    add_fans(db_engine, {"anna": 32})
    sessions = make_sessionmaker(db_engine)
    first = redeem(sessions, CS, "anna", "mug", now=NOW)
    assert (first.done, first.balance) == (True, 17)
    assert redeem(sessions, CS, "anna", "mug", now=NOW).reason == "limit of 1 per fan reached"
    assert redeem(sessions, CS, "anna", "poster", now=NOW).balance == 7
    low = redeem(sessions, CS, "anna", "poster", now=NOW)
    assert (low.done, low.reason, low.balance) == (False, "balance 7 is less than the cost 10", 7)
    with sessions() as session:
        fan = session.get(Fan, "anna")
        ledger = session.execute(select(LedgerEntry.source, LedgerEntry.points, LedgerEntry.note)).all()
        history = fan_redemptions(session, "anna")
    assert (fan.lifetime_points, fan.spent_points) == (32, 25)  # levels read lifetime points: unchanged
    assert [tuple(row) for row in ledger] == [
        ("reward:mug", -15, "redeemed: Enamel mug"),
        ("reward:poster", -10, "redeemed: Poster"),
    ]
    assert [(h["reward"], h["status"]) for h in history] == [
        ("mug", "done"),
        ("mug", "refused"),
        ("poster", "done"),
        ("poster", "refused"),
    ]


def test_a_retried_request_redeems_once_and_unknown_names_are_errors(db_engine: Engine) -> None:
    add_fans(db_engine, {"anna": 100})
    sessions = make_sessionmaker(db_engine)
    one = redeem(sessions, CS, "anna", "sticker", now=NOW, request_key="req-1")
    again = redeem(sessions, CS, "anna", "sticker", now=NOW, request_key="req-1")
    assert (one.redemption_id, one.balance) == (again.redemption_id, 95) and again.balance == 95
    with pytest.raises(RedemptionError, match="no reward 'tv'"):
        redeem(sessions, CS, "anna", "tv", now=NOW)
    with pytest.raises(RedemptionError, match="no fan 'bob'"):
        redeem(sessions, CS, "bob", "sticker", now=NOW)


def test_ingesting_after_a_redemption_keeps_the_spending(db_engine: Engine) -> None:
    from pipeline import ingest_events
    from tests.factories import event_dict

    rules = campaigns("""
        version: 1
        rewards: [{id: sticker, name: Sticker, cost: 5}]
        campaigns:
          - id: c
            rules: [{id: r, on: retweet, points: 10}]
    """)
    sessions = make_sessionmaker(db_engine)
    ingest_events(sessions, rules, [event_dict(id="a")], source="x", now=NOW)
    assert redeem(sessions, rules, "x:11", "sticker", now=NOW).done
    ingest_events(sessions, rules, [event_dict(id="b", at="2026-12-04T10:00:00Z")], source="x", now=NOW)
    with sessions() as session:
        fan = session.get(Fan, "x:11")
    assert (fan.lifetime_points, fan.spent_points) == (20, 5)


def add_partner_listening(engine: Engine) -> None:
    """The partner `acme-shop` with an endpoint subscribed to both reward messages."""
    cipher = TokenCipher(Fernet.generate_key().decode())
    with transaction(make_sessionmaker(engine)) as session:
        partner = create_partner(
            session, NewPartner("acme-shop", "Acme Shop", "shop", "shop@example.org", ()), NOW
        )
        subscribe(
            session,
            cipher,
            partner.id,
            "https://shop.example/hooks",
            ["reward.redeemed", "reward.delivered"],
            NOW,
        )


def messages(engine: Engine) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        rows = conn.execute(
            select(WebhookDelivery.message_id, WebhookDelivery.payload).order_by(WebhookDelivery.id)
        )
        return [(message, payload) for message, payload in rows]


def test_a_partner_s_reward_is_requested_until_the_partner_confirms_delivery(db_engine: Engine) -> None:
    add_fans(db_engine, {"anna": 20})
    add_partner_listening(db_engine)
    sessions = make_sessionmaker(db_engine)
    done = redeem(sessions, CS, "anna", "coffee", now=NOW)
    sticker = redeem(sessions, CS, "anna", "sticker", now=NOW)  # the programme's own: nobody to tell
    refused = redeem(sessions, CS, "anna", "coffee", now=NOW)
    assert (done.done, sticker.done, refused.refusal_kind) == (True, True, "limit_reached")
    assert messages(db_engine) == [
        (
            f"reward.redeemed:redemption:{done.redemption_id}",
            {
                "id": done.redemption_id,
                "fan": "anna",
                "reward": "coffee",
                "name": "Free coffee",
                "cost": 8,
                "status": "requested",
                "at": NOW.isoformat(),
                "delivered_at": None,
            },
        )
    ]
    later = datetime(2026, 12, 11, 9, tzinfo=UTC)
    with transaction(sessions) as session:
        assert [r.id for r in partner_redemptions(session, "acme-shop", "requested")] == [done.redemption_id]
        with pytest.raises(DeliveryError) as not_mine:
            confirm_delivery(session, "acme-shop", sticker.redemption_id, later)
        confirmed = confirm_delivery(session, "acme-shop", done.redemption_id, later)
    assert not_mine.value.code == "not_found"
    assert (confirmed["status"], confirmed["delivered_at"]) == ("delivered", later.isoformat())
    with transaction(sessions) as session, pytest.raises(DeliveryError) as twice:
        confirm_delivery(session, "acme-shop", done.redemption_id, later)
    assert twice.value.code == "already_delivered"
    with sessions() as session:
        assert partner_redemptions(session, "acme-shop", "requested") == []
        assert [r.id for r in partner_redemptions(session, "acme-shop")] == [done.redemption_id]
        history = fan_redemptions(session, "anna")
    assert [(h["reward"], h["status"], h["delivery"]) for h in history] == [
        ("coffee", "done", "delivered"),
        ("sticker", "done", "requested"),
        ("coffee", "refused", None),
    ]
    assert [m for m, _ in messages(db_engine)] == [
        f"reward.redeemed:redemption:{done.redemption_id}",
        f"reward.delivered:redemption:{done.redemption_id}",
    ]


def test_a_redemption_refused_or_rolled_back_tells_the_partner_nothing(db_engine: Engine) -> None:
    add_fans(db_engine, {"anna": 5})
    add_partner_listening(db_engine)
    sessions = make_sessionmaker(db_engine)
    assert redeem(sessions, CS, "anna", "coffee", now=NOW).refusal_kind == "not_enough_points"

    def fail(_session, _outcome):  # type: ignore[no-untyped-def]
        raise RuntimeError("the caller's part of the transaction failed")

    add_fans(db_engine, {"ben": 50})
    with pytest.raises(RuntimeError):
        redeem(sessions, CS, "ben", "coffee", now=NOW, also=fail)
    with sessions() as session:
        assert session.get(Fan, "ben").spent_points == 0
    assert messages(db_engine) == []


def test_the_fan_s_redemptions_are_exported_and_detached_on_erasure(db_engine: Engine) -> None:
    add_fans(db_engine, {"anna": 20})
    sessions = make_sessionmaker(db_engine)
    redeem(sessions, CS, "anna", "sticker", now=NOW, request_key="anna-1")
    subject = Subject(1, "anna@example.org", "anna")
    with transaction(sessions) as session:
        exported = export_redemptions(session, subject)
        erase_redemptions(session, subject)
    assert [(r["reward"], r["cost"], r["delivery"]) for r in exported] == [("sticker", 5, "requested")]
    with sessions() as session:
        row = session.scalars(select(Redemption)).one()
        assert (row.fan_id, row.request_key, row.reward_id) == ("erased", None, "sticker")
        assert export_redemptions(session, subject) == []


def hammer(
    engine: Engine, requests: list[tuple[str, str]] | list[tuple[str, str, str]], workers: int = 12
) -> list[bool]:
    """Run every (fan, reward[, request key]) at once from `workers` threads, each with its own connection."""
    sessions = make_sessionmaker(engine)
    start = threading.Barrier(workers)

    def one(request: tuple[str, ...]) -> bool:
        if threading.current_thread().name not in started:
            started.add(threading.current_thread().name)
            start.wait(timeout=30)
        key = request[2] if len(request) > 2 else None
        return redeem(sessions, CS, request[0], request[1], now=NOW, request_key=key).done

    started: set[str] = set()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, requests))


def test_concurrent_redemptions_never_overdraw_oversell_or_pass_the_per_fan_limit(db_engine: Engine) -> None:
    fans = {f"f{i}": 40 for i in range(8)}
    add_fans(db_engine, fans)
    # every fan asks for 2 mugs (1 each, stock 3), 3 posters (2 each) and 6 stickers: 135 points wanted of 40
    requests = [
        (fan, reward)
        for turn in range(6)
        for fan in fans
        for reward in (
            ("mug", "poster", "sticker") if turn < 2 else ("poster", "sticker") if turn < 3 else ("sticker",)
        )
    ]
    done = hammer(db_engine, requests)
    with db_engine.connect() as conn:
        spent = dict(conn.execute(select(Fan.id, Fan.spent_points)).all())
        rows = conn.execute(
            select(Redemption.fan_id, Redemption.reward_id, func.count())
            .where(Redemption.status == "done")
            .group_by(Redemption.fan_id, Redemption.reward_id)
        ).all()
        counted = {(fan, reward): n for fan, reward, n in rows}
        ledger = dict(
            conn.execute(
                select(LedgerEntry.fan_id, func.sum(LedgerEntry.points)).group_by(LedgerEntry.fan_id)
            ).all()
        )
        mugs_counter = conn.scalar(select(RewardCounter.redeemed).where(RewardCounter.reward_id == "mug"))
        refused = conn.scalar(select(func.count()).where(Redemption.status == "refused"))
    cost = {"mug": 15, "poster": 10, "sticker": 5}
    assert sum(done) == sum(counted.values()) and refused == len(requests) - sum(done)
    mugs = sum(n for (_, reward), n in counted.items() if reward == "mug")
    assert mugs == mugs_counter <= 3
    for fan, lifetime in fans.items():
        mine = {reward: counted.get((fan, reward), 0) for reward in cost}
        assert mine["mug"] <= 1 and mine["poster"] <= 2
        assert spent[fan] == sum(cost[r] * n for r, n in mine.items()) == -ledger.get(fan, 0)
        # never below zero; a refused sticker means under 5 was left, and all 6 done leave 10 for a poster
        assert 0 <= lifetime - spent[fan] < 5


def test_a_reward_sells_out_exactly_at_its_stock(db_engine: Engine) -> None:
    fans = {f"f{i}": 100 for i in range(10)}
    add_fans(db_engine, fans)
    done = hammer(db_engine, [(fan, "mug") for fan in fans for _ in range(3)])
    with db_engine.connect() as conn:
        counter = conn.scalar(select(RewardCounter.redeemed).where(RewardCounter.reward_id == "mug"))
        spent = conn.scalar(select(func.sum(Fan.spent_points)))
        buyers = conn.scalar(
            select(func.count(func.distinct(Redemption.fan_id))).where(Redemption.status == "done")
        )
    assert (sum(done), counter, spent, buyers) == (3, 3, 45, 3)


def test_many_requests_of_one_fan_at_once_spend_exactly_the_balance(db_engine: Engine) -> None:
    add_fans(db_engine, {"anna": 50})
    done = hammer(db_engine, [("anna", "sticker")] * 24)
    with db_engine.connect() as conn:
        spent = conn.scalar(select(Fan.spent_points).where(Fan.id == "anna"))
    assert (sum(done), spent) == (10, 50)


def test_retries_of_one_request_at_once_redeem_it_once(db_engine: Engine) -> None:
    add_fans(db_engine, {"anna": 100, "ben": 100})
    # 4 requests (2 per fan), each sent 6 times at once with its key
    requests = [(fan, "sticker", f"{fan}-{n}") for fan in ("anna", "ben") for n in (1, 2) for _ in range(6)]
    done = hammer(db_engine, requests)
    with db_engine.connect() as conn:
        spent = dict(conn.execute(select(Fan.id, Fan.spent_points)).all())
        rows = conn.scalar(select(func.count()).select_from(Redemption))
        entries = conn.scalar(select(func.count()).select_from(LedgerEntry))
    assert all(done)  # every retry is told the request was redeemed
    assert (spent, rows, entries) == ({"anna": 10, "ben": 10}, 4, 4)
