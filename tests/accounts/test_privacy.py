"""Download my data and delete my account, across every registered domain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accounts.privacy import PrivacyRegistry, Subject, default_registry
from accounts.roles import Role
from accounts.service import create_user
from pipeline import ingest_events
from storage.db import Base, make_sessionmaker, transaction
from storage.models.core import BoardScore, Fan, LedgerEntry
from tests.factories import campaigns, event_dict

YAML = """
version: 1
campaigns:
  - id: c
    name: C
    rules:
      - {id: quote, on: quote, points: 15}
      - {id: connect, on: profile_linked, points: 50}
    leaderboards: [{id: all-time}]
"""
NOW = datetime(2026, 11, 1, tzinfo=UTC)
PERSONAL = ("ann@example.org", "Ann Example", "ann_on_x", "x:11", "fan-ann", "I really love this coffee")


@pytest.fixture
def sessions(db_engine) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    factory = make_sessionmaker(db_engine)
    with transaction(factory) as session:
        create_user(
            session, "ann@example.org", "a long password", Role.FAN, "Ann Example", NOW, fan_id="fan-ann"
        )
        create_user(session, "bo@example.org", "a long password", Role.FAN, "Bo", NOW, fan_id="fan-bo")
    actor = {"id": "11", "handle": "ann_on_x"}
    events = [
        # before linking, the profile stands for the fan on its own
        event_dict(
            "quote", at="2026-10-01T10:00:00Z", actor=actor, id="q1", text="I really love this coffee"
        ),
        {
            "id": "link",
            "platform": "web",
            "type": "profile_linked",
            "at": "2026-10-02T10:00:00Z",
            "fan": "fan-ann",
            "attrs": {"profile": "x:11"},
        },
        event_dict(
            "quote", at="2026-10-03T10:00:00Z", actor=actor, id="q2", text="I really love this coffee!"
        ),
        event_dict("quote", at="2026-10-03T11:00:00Z", actor="22", id="q3"),
        {
            "id": "bo-link",
            "platform": "web",
            "type": "profile_linked",
            "at": "2026-10-04T10:00:00Z",
            "fan": "fan-bo",
            "attrs": {"profile": "x:33"},
        },
    ]
    ingest_events(factory, campaigns(YAML), events, source="test", now=NOW)
    return factory


def _ann(session: Session) -> Subject:
    from storage.models.accounts import User

    user = session.scalar(select(User).where(User.email == "ann@example.org"))
    assert user is not None
    return Subject(user.id, user.email, user.fan_id)


def _everything(session: Session) -> str:
    rows = []
    for table in Base.metadata.sorted_tables:
        rows.extend(str(tuple(row)) for row in session.execute(select(table)))
    return "\n".join(rows)


def _sums(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.sum(LedgerEntry.points))) or 0,
        session.scalar(select(func.sum(Fan.lifetime_points))) or 0,
    )


def test_the_export_holds_the_fans_data_from_every_domain(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        data = default_registry().export(session, _ann(session))
    assert data["account"]["email"] == "ann@example.org" and data["account"]["display_name"] == "Ann Example"
    engine = data["engine"]
    assert engine["fan"]["lifetime_points"] == 65  # link 50 + q2 15; q1 counted for the profile
    assert [(r["rule"], r["points"]) for r in engine["ledger"]] == [("connect", 50), ("quote", 15)]
    assert engine["linked_profiles"][0]["profile"] == "x:11"
    assert {e["id"] for e in engine["events"]} == {"q1", "link", "q2"}
    assert engine["leaderboards"] == [{"board": "c/all-time", "period": "", "points": 65}]


def test_the_fans_redemptions_are_exported_then_kept_nameless(sessions) -> None:  # type: ignore[no-untyped-def]
    from storage.models.gamification import Redemption
    from storage.redemptions import redeem

    rules = campaigns(YAML + "rewards: [{id: mug, name: Mug, cost: 40, stock: 2, partner: acme-shop}]\n")
    assert redeem(sessions, rules, "fan-ann", "mug", now=NOW, request_key="fan-ann:mug").done
    with sessions() as session:
        data = default_registry().export(session, _ann(session))
    assert [(r["reward"], r["cost"], r["delivery"]) for r in data["redemptions"]] == [
        ("mug", 40, "requested")
    ]
    with transaction(sessions) as session:
        default_registry().erase(session, _ann(session))
    with sessions() as session:
        assert [text for text in PERSONAL if text in _everything(session)] == []
        kept = session.scalars(select(Redemption)).one()  # the partner still owes one mug, to nobody named
        assert (kept.fan_id, kept.reward_id, kept.partner, kept.request_key) == (
            "erased",
            "mug",
            "acme-shop",
            None,
        )


def test_deletion_leaves_no_personal_data_and_keeps_the_totals(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        before = _sums(session)
        assert before == (15 + 50 + 15 + 15 + 50, 15 + 65 + 15 + 50)
        assert all(text in _everything(session) for text in PERSONAL)
    with transaction(sessions) as session:
        default_registry().erase(session, _ann(session))
    with sessions() as session:
        left = _everything(session)
        assert [text for text in PERSONAL if text in left] == []
        assert _sums(session) == before
        erased = session.scalars(select(Fan).where(Fan.kind == "erased").order_by(Fan.lifetime_points)).all()
        assert [(f.lifetime_points, f.display_name) for f in erased] == [(15, None), (65, None)]
        listed = {s.fan_id for s in session.scalars(select(BoardScore))}
        assert listed == {"x:22", "fan-bo"}  # the erased fan left the board; others stay
        assert "bo@example.org" in left and "x:33" in left  # nobody else's data was touched


def test_a_domain_registers_an_exporter_and_an_eraser_once() -> None:
    registry = PrivacyRegistry()
    calls: list[str] = []
    registry.register("a", lambda s, subj: {"n": 1}, lambda s, subj: calls.append("a"))
    registry.register("b", lambda s, subj: [2], lambda s, subj: calls.append("b"))
    subject = Subject(1, "x@example.org", None)
    assert registry.export(None, subject) == {"a": {"n": 1}, "b": [2]}  # type: ignore[arg-type]
    registry.erase(None, subject)  # type: ignore[arg-type]
    assert calls == ["b", "a"]  # the first registered (the account) goes last
    with pytest.raises(ValueError, match="registered already"):
        registry.register("a", lambda s, subj: None, lambda s, subj: None)


def _seed_every_domain(sessions: sessionmaker[Session]) -> None:
    """Ann's (and some of Bo's) rows in the loyalty, connection, sharing and monitoring tables."""
    from datetime import date

    from storage.models.connect import ConnectedAccount
    from storage.models.gamification import BadgeAssertion
    from storage.models.links import LinkClick, TrackedLink
    from storage.models.loyalty import (
        ClaimCode,
        ClaimFailure,
        FanIdentity,
        FanProfile,
        Partner,
        PartnerTransaction,
        WebhookDelivery,
        WebhookSubscription,
    )
    from storage.models.monitoring import (
        Author,
        AuthorDay,
        FanInterest,
        InfluencerFlag,
        InfluencerReview,
        ShareEdge,
    )

    with transaction(sessions) as session:
        shop = Partner(
            slug="acme",
            name="Acme",
            kind="shop",
            contact_email="shop@acme.example",
            status="live",
            created_at=NOW,
        )
        session.add(shop)
        session.flush()
        hook = WebhookSubscription(
            partner_id=shop.id, url="https://acme.example/hook", events=[], secret_enc="s", created_at=NOW
        )
        session.add(hook)
        session.flush()
        for fan, name in (("fan-ann", "ann"), ("fan-bo", "bo")):
            session.add_all(
                [
                    ConnectedAccount(
                        fan_id=fan,
                        platform="x",
                        user_id=f"{name}-id",
                        handle=f"{name}_on_x",
                        access_token_enc=f"{name}-token",
                        link_event_id=f"{name}-connect",
                        linked_at=NOW,
                    ),
                    FanIdentity(fan_id=fan, kind="email", value=f"{name}@example.org", created_at=NOW),
                    TrackedLink(
                        code=f"{name}-link",
                        fan_id=fan,
                        campaign_id="c",
                        target_url=f"https://example.org/{name}",
                        created_at=NOW,
                    ),
                    FanInterest(fan_id=fan, kind="hashtag", term=f"{name}-coffee", count=2),
                ]
            )
        session.flush()  # the links before their clicks
        for name in ("ann", "bo"):
            session.add(LinkClick(code=f"{name}-link", day="2026-11-01", visitor=f"{name}-visitor", at=NOW))
        session.add_all(
            [
                FanProfile(fan_id="fan-ann", birthday_month=5, birthday_day=17, updated_at=NOW),
                PartnerTransaction(
                    partner_id=shop.id,
                    mode="live",
                    kind="purchase",
                    reference="order-1001",
                    event_id="q2",
                    fan_id="fan-ann",
                    points=15,
                    detail={"attrs": {"note": "Ann Example"}, "entries": [{"campaign": "c", "points": 15}]},
                    created_at=NOW,
                ),
                ClaimCode(
                    partner_id=shop.id,
                    code_hash="h" * 64,
                    value=10,
                    label="Store visit",
                    created_at=NOW,
                    expires_at=NOW,
                    used_at=NOW,
                    used_by="fan-ann",
                ),
                ClaimFailure(key="fan:fan-ann", at=NOW),
                WebhookDelivery(
                    subscription_id=hook.id,
                    message_id="m1",
                    kind="points.credited",
                    payload={"type": "points.credited", "data": {"fan": "fan-ann", "points": 15}},
                    status="delivered",
                    next_attempt_at=NOW,
                    created_at=NOW,
                ),
                BadgeAssertion(
                    id="assertion-1",
                    fan_id="fan-ann",
                    campaign_id="c",
                    badge_id="b",
                    identity_type="email",
                    identity="ann@example.org",
                    salt="salt",
                    issued_on=NOW,
                ),
                Author(key="x:ann_on_x", handle="ann_on_x", profile_key="x:11", followers=120, last_at=NOW),
                AuthorDay(author="x:ann_on_x", day=date(2026, 10, 3), posts=2),
                ShareEdge(source="x:ann_on_x", target="x:bo_on_x", count=1),
                InfluencerFlag(
                    author="x:ann_on_x", status="flagged", score=1.0, reasons=["reach"], flagged_at=NOW
                ),
                InfluencerReview(author="x:ann_on_x", decision="note", note="call her", by="cm", at=NOW),
            ]
        )


def test_every_domain_exports_what_it_keeps_about_the_fan(sessions) -> None:  # type: ignore[no-untyped-def]
    _seed_every_domain(sessions)
    with sessions() as session:
        data = default_registry().export(session, _ann(session))
    assert data["connected_accounts"] == [
        {"platform": "x", "user_id": "ann-id", "handle": "ann_on_x", "linked_at": NOW.isoformat()}
    ]
    assert "ann-token" not in str(data)  # tokens are never handed out, not even encrypted
    loyalty = data["loyalty"]
    assert loyalty["identities"] == [{"kind": "email", "value": "ann@example.org", "confirmed": False}]
    assert loyalty["birthday"] == {"month": 5, "day": 17}
    assert [(c["partner"], c["reference"], c["points"]) for c in loyalty["partner_credits"]] == [
        ("Acme", "order-1001", 15)
    ]
    assert [(c["label"], c["value"]) for c in loyalty["claim_codes"]] == [("Store visit", 10)]
    shared = data["shared"]
    assert shared["share_links"] == [{"campaign": "c", "target": "https://example.org/ann", "clicks": 1}]
    assert [(a["badge"], a["recipient"]) for a in shared["badge_assertions"]] == [("b", "ann@example.org")]
    monitoring = data["monitoring"]
    assert monitoring["interests"] == [{"kind": "hashtag", "term": "ann-coffee", "count": 2}]
    assert monitoring["authors"] == [
        {
            "author": "x:ann_on_x",
            "followers": 120,
            "posts": 2,
            "influencer": {"status": "flagged", "reasons": ["reach"]},
        }
    ]


def test_deletion_reaches_every_domain_and_keeps_partner_credits_nameless(sessions) -> None:  # type: ignore[no-untyped-def]
    from storage.models.loyalty import ClaimCode, PartnerTransaction

    _seed_every_domain(sessions)
    with transaction(sessions) as session:
        default_registry().erase(session, _ann(session))
    with sessions() as session:
        left = _everything(session)
        assert [text for text in (*PERSONAL, "ann") if text in left] == []
        credit = session.scalars(
            select(PartnerTransaction)
        ).one()  # its reference may never be credited again
        tombstone = session.get(Fan, credit.fan_id)
        assert tombstone is not None and tombstone.kind == "erased" and tombstone.lifetime_points == 65
        assert credit.detail == {"entries": [{"campaign": "c", "points": 15}]}
        assert session.scalars(select(ClaimCode.used_by)).one() == "erased"
        for text in (
            "bo@example.org",
            "bo_on_x",
            "bo-token",
            "https://example.org/bo",
            "bo-visitor",
            "bo-coffee",
        ):
            assert text in left  # nobody else's data was touched


FAN_TABLES = {  # every table with a fan_id column, and the privacy domain that handles it
    "badge_assertions": "shared",
    "badge_grants": "engine",
    "badge_progress": "engine",
    "board_scores": "engine",
    "cap_counters": "engine",
    "challenge_solvers": "engine",
    "connected_accounts": "connected_accounts",
    "events": "engine",
    "fan_campaigns": "engine",
    "fan_identities": "loyalty",
    "fan_interests": "monitoring",
    "fan_profiles": "loyalty",
    "ledger": "engine",
    "linked_profiles": "engine",
    "partner_transactions": "loyalty",
    "redemptions": "redemptions",
    "tracked_links": "shared",
    "users": "account",
}


def test_every_table_that_names_a_fan_has_a_privacy_domain() -> None:
    """A new table keyed by fan fails here until a registered domain exports and erases it
    (and is listed above, with a row of Ann's in the tests of this module)."""
    with_fans = {t.name for t in Base.metadata.tables.values() if "fan_id" in t.c}
    assert with_fans == set(FAN_TABLES)
    assert set(FAN_TABLES.values()) <= set(default_registry().names)
