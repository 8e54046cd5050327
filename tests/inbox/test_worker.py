"""Queued and drained by workers, events end exactly as ingested in one process."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from inbox.router import enqueue_events, enqueue_lines, partition_of
from inbox.worker import _ungated, drain_once, run
from pipeline import close_periods, ingest_lines
from storage.db import Base, make_engine, make_sessionmaker
from storage.models.core import LedgerEntry
from storage.models.inbox import InboxEvent
from tests.engine.test_properties import ORDERED, START, event_streams
from tests.factories import campaigns
from tests.inbox.snapshot import snapshot

NOW = START + timedelta(days=30)


def _fresh_sqlite() -> Engine:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine


def _one_process(events: list[dict]) -> dict:
    engine = _fresh_sqlite()
    sessions = make_sessionmaker(engine)
    ingest_lines(sessions, ORDERED, [json.dumps(e) for e in events], source="gen", now=NOW)
    with sessions() as session:
        return snapshot(session)


def _queued_and_drained(engine: Engine, events: list[dict], batch: int, claim: int) -> dict:
    sessions = make_sessionmaker(engine)
    enqueue_lines(sessions, ORDERED, [json.dumps(e) for e in events], source="gen", now=NOW)
    while drain_once(sessions, ORDERED, now=NOW, batch=batch, claim=claim):
        pass
    close_periods(sessions, ORDERED, NOW)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 0
        return snapshot(session)


@settings(max_examples=120, deadline=None)
@given(events=event_streams(with_order_dependent=True), batch=st.integers(1, 9), claim=st.integers(1, 4))
def test_draining_partition_by_partition_gives_what_one_process_gives(events, batch, claim) -> None:  # type: ignore[no-untyped-def]
    # Small batches over few partitions at a time: fans are applied far out of global time
    # order, so links, retractions and challenge winners must not depend on it.
    assert _queued_and_drained(_fresh_sqlite(), events, batch, claim) == _one_process(events)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_streams(with_order_dependent=True), batch=st.integers(1, 9), claim=st.integers(1, 4))
def test_draining_on_postgres_gives_what_one_process_gives(
    postgres_engine: Engine, events, batch, claim
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import _truncate

    _truncate(postgres_engine)
    assert _queued_and_drained(postgres_engine, events, batch, claim) == _one_process(events)


def test_a_profile_routes_to_the_fan_it_is_linked_to_from_the_link_on(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    before = {
        "id": "a",
        "platform": "x",
        "type": "retweet",
        "at": "2026-12-01T09:00:00Z",
        "actor": {"id": "7"},
        "post": {"id": "p", "author": "club"},
    }
    link = {
        "id": "l",
        "platform": "x",
        "type": "profile_linked",
        "at": "2026-12-01T10:00:00Z",
        "fan": "anna",
        "attrs": {"profile": "x:7"},
    }
    after = before | {"id": "b", "at": "2026-12-01T11:00:00Z"}
    unlink = {
        "id": "u",
        "platform": "x",
        "type": "retract",
        "at": "2026-12-01T12:00:00Z",
        "attrs": {"retracts": "l"},
    }
    late = before | {"id": "c", "at": "2026-12-01T13:00:00Z"}
    enqueue_events(sessions, ORDERED, [late, unlink, after, link, before], source="t", now=NOW)
    with sessions() as session:
        routed = {
            row.event_id: row.route for row in session.execute(select(InboxEvent.event_id, InboxEvent.route))
        }
        parts = {
            row.event_id: row.part for row in session.execute(select(InboxEvent.event_id, InboxEvent.part))
        }
    assert routed == {"a": "x:7", "l": "anna", "b": "anna", "u": "anna", "c": "x:7"}
    assert parts["b"] == parts["l"] == partition_of("anna")


def test_an_answer_waits_for_an_earlier_answer_to_the_same_challenge_elsewhere(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)

    def answer(id_: str, fan: str, at: str) -> dict:
        return {
            "id": id_,
            "platform": "web",
            "type": "quiz_answer",
            "at": at,
            "fan": fan,
            "attrs": {"challenge": "q", "answer": "yes"},
        }

    fans = _fans_in_two_partitions()
    enqueue_events(
        sessions,
        ORDERED,
        [answer("late", fans[0], "2026-12-02T10:00:00Z"), answer("early", fans[1], "2026-12-01T10:00:00Z")],
        source="t",
        now=NOW,
    )
    with sessions() as session:
        late = session.scalars(select(InboxEvent).where(InboxEvent.event_id == "late")).one()
        assert late.gate == "challenge:q"
        assert _ungated(session, [late], [late.part], ORDERED) == []  # "early" waits in another partition
        early = session.scalars(select(InboxEvent).where(InboxEvent.event_id == "early")).one()
        assert _ungated(session, [early], [early.part], ORDERED) == [early]


def test_once_every_winner_is_found_answers_wait_for_nothing(db_engine: Engine) -> None:
    from storage.models.core import ChallengeSolver

    sessions = make_sessionmaker(db_engine)
    fans = _fans_in_two_partitions()
    answers = [
        {
            "id": i,
            "platform": "web",
            "type": "quiz_answer",
            "at": at,
            "fan": fan,
            "attrs": {"challenge": "q", "answer": "no"},
        }
        for i, fan, at in (
            ("late", fans[0], "2026-12-02T10:00:00Z"),
            ("early", fans[1], "2026-12-01T10:00:00Z"),
        )
    ]
    enqueue_events(sessions, ORDERED, answers, source="t", now=NOW)
    with sessions() as session, session.begin():
        late = session.scalars(select(InboxEvent).where(InboxEvent.event_id == "late")).one()
        session.add_all(
            ChallengeSolver(campaign_id="c", challenge_id="q", fan_id=f"w{n}", event_id=f"w{n}", at=START)
            for n in range(2)  # ORDERED's challenge has two winners
        )
        session.flush()
        assert _ungated(session, [late], [late.part], ORDERED) == [late]


def _fans_in_two_partitions() -> list[str]:
    first = "fan-a"
    other = next(f"fan-{n}" for n in range(100) if partition_of(f"fan-{n}") != partition_of(first))
    return [first, other]


def test_a_batch_that_fails_leaves_its_events_waiting_and_nothing_applied(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = make_sessionmaker(db_engine)
    events = [
        {
            "id": f"e{i}",
            "platform": "x",
            "type": "retweet",
            "at": f"2026-12-01T1{i}:00:00Z",
            "actor": {"id": str(i)},
            "post": {"id": "p", "author": "club"},
        }
        for i in range(5)
    ]
    cs = campaigns(
        "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"
    )
    enqueue_events(sessions, cs, events, source="t", now=NOW)

    def crash(*_a: object, **_k: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr("inbox.worker._apply", crash)  # after the batch deleted its inbox rows
    with pytest.raises(RuntimeError):
        drain_once(sessions, cs, now=NOW)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 5
    monkeypatch.undo()
    assert drain_once(sessions, cs, now=NOW) == 5
    assert drain_once(sessions, cs, now=NOW) == 0
    with sessions() as session:
        assert session.scalar(select(func.sum(LedgerEntry.points))) == 50


def test_a_duplicate_arrival_is_counted_once(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    event = {
        "id": "e",
        "platform": "x",
        "type": "retweet",
        "at": "2026-12-01T10:00:00Z",
        "actor": {"id": "1"},
        "post": {"id": "p", "author": "club"},
    }
    cs = campaigns(
        "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"
    )
    assert enqueue_events(sessions, cs, [event, event], source="t", now=NOW).queued == 1
    assert enqueue_events(sessions, cs, [event], source="t", now=NOW).duplicates == 1  # still waiting
    drain_once(sessions, cs, now=NOW)
    report = enqueue_events(sessions, cs, [event], source="t", now=NOW)  # applied before
    assert (report.queued, report.duplicates) == (0, 1)
    with sessions() as session:
        assert session.scalar(select(func.sum(LedgerEntry.points))) == 10


def test_four_workers_at_once_give_what_one_process_gives(postgres_engine: Engine) -> None:
    from tests.conftest import _truncate
    from tests.inbox.streams import busy_stream

    _truncate(postgres_engine)
    events = busy_stream(3000, fans=60, seed=3)
    sessions = make_sessionmaker(postgres_engine)
    queued = enqueue_lines(sessions, ORDERED, [json.dumps(e) for e in events], source="gen", now=NOW)
    assert queued.queued + queued.rejected == len(events)  # retracts of what was not seen are refused at once
    stop = threading.Event()
    reports = []

    def worker() -> None:
        reports.append(run(sessions, lambda: ORDERED, stop=stop, batch=200, claim=2, until_empty=True))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    close_periods(sessions, ORDERED, NOW)
    assert sum(r.taken for r in reports) == queued.queued
    assert sum(1 for r in reports if r.taken) >= 2  # the work was shared
    with sessions() as session:
        assert snapshot(session) == _one_process(events)
