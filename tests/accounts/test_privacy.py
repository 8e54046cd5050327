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
