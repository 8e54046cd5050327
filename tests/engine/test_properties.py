"""Properties over generated event streams: batching, order and duplicates change nothing."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from engine.events import parse_event
from engine.processor import Engine as RulesEngine
from engine.simulate import report, run
from engine.state import EngineState
from pipeline import ingest_lines
from storage.db import Base, make_engine, make_sessionmaker
from storage.report import db_report
from tests.factories import campaigns

ORDER_FREE = campaigns("""
    version: 1
    timezone: Europe/Berlin
    levels: [{name: Fan, points: 0}, {name: Star, points: 50}]
    campaigns:
      - id: c
        content: {hashtags: [derby]}
        rules:
          - {id: share, on: [share, retweet], points: 10}
          - {id: talk, on: mention, if: {followers: {min: 100}}, points: 3}
          - {id: night, on: any, during: {hours: "20:00-02:00"}, points: 1}
          - {id: buy, on: purchase, points: {per: amount, rate: 0.5}}
        boosts:
          - {factor: 2, during: {days: [sat]}}
        badges:
          - {id: three, name: Three, on: any, count: 3}
          - {id: streak, name: Streak, on: any, streak: 2}
          - {id: burst, name: Burst, on: retweet, count: 2, within: 6h}
        leaderboards:
          - {id: all-time}
          - {id: daily, period: day}
""")

ORDERED_YAML = """
    version: 1
    timezone: Europe/Berlin
    campaigns:
      - id: c
        rules:
          - {id: share, on: [share, retweet], points: 10, max: {count: 2, per: day}}
          - {id: buy, on: purchase, points: {per: amount, rate: 1}, max: {points: 30, per: week}}
        badges:
          - {id: two, name: Two, on: any, count: 2}
          - {id: top, name: Top, leaderboard: weekly, rank: 1}
        leaderboards:
          - {id: weekly, period: week}
        challenges:
          - {id: q, question: Q?, answers: [yes], points: 5, winners: 2}
"""
ORDERED = campaigns(ORDERED_YAML)

START = datetime(2026, 12, 1, tzinfo=UTC)


@st.composite
def event_streams(draw: st.DrawFn, *, with_order_dependent: bool = False) -> list[dict]:
    count = draw(st.integers(min_value=1, max_value=25))
    events = []
    for i in range(count):
        kind = draw(
            st.sampled_from(
                ["share", "retweet", "mention", "purchase"]
                + (["quiz_answer", "profile_linked", "retract"] if with_order_dependent else [])
            )
        )
        at = START + timedelta(minutes=draw(st.integers(min_value=0, max_value=60 * 24 * 9)))
        actor = draw(st.sampled_from(["1", "2", "3"]))
        event = {"id": f"e{i}", "platform": "x", "type": kind, "at": at.isoformat(), "hashtags": ["Derby"]}
        if kind in {"share", "retweet", "mention"}:
            event["actor"] = {"id": actor, "followers": draw(st.sampled_from([None, 50, 500]))}
            event["actor"] = {k: v for k, v in event["actor"].items() if v is not None}
            if kind != "mention":
                event["post"] = {"id": "p1", "author": "club"}
        elif kind == "purchase":
            event["fan"] = f"fan{actor}"
            event["attrs"] = {"amount": draw(st.sampled_from(["9.99", "20", "0.5"]))}
        elif kind == "quiz_answer":
            event["fan"] = f"fan{actor}"
            event["attrs"] = {"challenge": "q", "answer": draw(st.sampled_from(["Yes", "no"]))}
        elif kind == "profile_linked":
            event["fan"], event["attrs"] = f"fan{actor}", {"profile": f"x:{actor}"}
        else:
            event["attrs"] = {"retracts": f"e{draw(st.integers(min_value=0, max_value=count - 1))}"}
        events.append(event)
    return events


def simulate_dicts(cs, events: list[dict]) -> dict:  # type: ignore[no-untyped-def]
    result = report(run(cs, [json.dumps(e) for e in events], START + timedelta(days=30)))
    return {"fans": result["fans"], "leaderboards": result["leaderboards"]}


@settings(max_examples=150, deadline=None)
@given(events=event_streams(), seed=st.integers(0, 10**6), batch=st.integers(1, 7))
def test_shuffling_rebatching_and_duplicating_never_change_order_free_totals(events, seed, batch) -> None:  # type: ignore[no-untyped-def]
    expected = simulate_dicts(ORDER_FREE, events)
    rng = random.Random(seed)
    stream = events + rng.sample(events, k=len(events) // 2)  # replays
    rng.shuffle(stream)
    state = EngineState()
    engine = RulesEngine(ORDER_FREE, state)
    for start in range(0, len(stream), batch):  # arrival order, batch by batch
        for raw in stream[start : start + batch]:
            engine.process(parse_event(raw))
    engine.close_periods(START + timedelta(days=30))
    from engine.simulate import Simulation

    got = report(Simulation(ORDER_FREE, state, []))
    assert got["leaderboards"] == expected["leaderboards"]
    assert _badges_as_sets(got["fans"]) == _badges_as_sets(expected["fans"])


def _badges_as_sets(fans: dict) -> dict:
    """Which badges, not in which order: a badge is dated by the event that completed it as it arrived."""
    return {
        fan: {
            **data,
            "campaigns": {c: {**v, "badges": set(v["badges"])} for c, v in data["campaigns"].items()},
        }
        for fan, data in fans.items()
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_streams(with_order_dependent=True), batch=st.integers(1, 9))
def test_simulate_and_ingest_into_sqlite_agree(events, batch) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    _assert_agree(engine, events, batch)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_streams(with_order_dependent=True), batch=st.integers(1, 9))
def test_simulate_and_ingest_into_postgres_agree(postgres_engine: Engine, events, batch) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import _truncate

    _truncate(postgres_engine)
    _assert_agree(postgres_engine, events, batch)


def _assert_agree(engine: Engine, events: list[dict], batch: int) -> None:
    sessions = make_sessionmaker(engine)
    lines = [json.dumps(e) for e in events]
    ingest_lines(sessions, ORDERED, lines, source="gen", now=START + timedelta(days=30), batch=batch)
    with sessions() as session:
        assert db_report(session) == simulate_dicts(ORDERED, events)
