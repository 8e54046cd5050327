"""Persisted ingestion on SQLite and PostgreSQL: stored once, quarantined with reasons, same as simulate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from engine.rules.loader import load_campaigns
from engine.simulate import report, run
from pipeline import ingest_events, ingest_lines
from storage.db import make_sessionmaker
from storage.models.core import Fan, LedgerEntry, LinkedProfile, QuarantinedEvent, StoredEvent
from storage.report import db_report, fan_ledger
from tests.factories import campaigns, event_dict

EXAMPLES = Path(__file__).parent / "engine" / "examples"
NOW = datetime(2026, 12, 9, 12, tzinfo=UTC)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            m.__tablename__: conn.scalar(select(func.count()).select_from(m))
            for m in (StoredEvent, LedgerEntry, QuarantinedEvent, Fan, LinkedProfile)
        }


def test_examples_ingested_in_small_batches_match_simulate(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    for name in ("derby-week", "advent-quiz"):
        folder = EXAMPLES / name
        cs, _ = load_campaigns(folder / "campaigns.yaml")
        lines = (folder / "events.jsonl").read_text().splitlines()
        expected = report(run(cs, lines, NOW))
        ingest_lines(sessions, cs, lines, source=f"{name}.jsonl", now=NOW, batch=2)
        with sessions() as session:
            got = db_report(session)
        assert got["fans"] == expected["fans"]
        assert got["leaderboards"] == expected["leaderboards"]
        with db_engine.begin() as conn:  # next example on an empty database
            for table in reversed(StoredEvent.metadata.sorted_tables):
                conn.execute(table.delete())


def test_reingesting_the_same_file_changes_nothing(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    folder = EXAMPLES / "derby-week"
    cs, _ = load_campaigns(folder / "campaigns.yaml")
    lines = (folder / "events.jsonl").read_text().splitlines()
    first = ingest_lines(sessions, cs, lines, source="derby.jsonl", now=NOW)
    before = counts(db_engine)
    second = ingest_lines(sessions, cs, lines, source="derby.jsonl", now=NOW)
    assert counts(db_engine) == before
    assert (first.accepted, second.accepted, second.entries) == (7, 0, 0)
    assert before["events"] == 7 and before["quarantine"] == 1


def test_bad_lines_are_quarantined_with_line_and_reason_and_the_rest_goes_on(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    cs = campaigns(
        "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"
    )
    lines = [
        json.dumps(event_dict(id="ok1")),
        "{broken",
        json.dumps(event_dict(id="bad-time", at="2026-12-03 10:00")),
        json.dumps(event_dict(id="r", type="retract", attrs={"retracts": "never-seen"})),
        json.dumps(event_dict(id="ok2", at="2026-12-04T10:00:00Z")),
    ]
    result = ingest_lines(sessions, cs, lines, source="feed.jsonl", now=NOW)
    assert (result.accepted, result.rejected, result.points) == (2, 3, 20)
    with sessions() as session:
        rows = session.execute(
            select(QuarantinedEvent.line, QuarantinedEvent.error).order_by(QuarantinedEvent.line)
        )
        quarantined = [(line, error) for line, error in rows]
    assert [line for line, _ in quarantined] == [2, 3, 4]
    assert quarantined[0][1].startswith("not JSON")
    assert "no UTC offset" in quarantined[1][1]
    assert "retracts unknown event 'never-seen'" in quarantined[2][1]


def test_fans_are_resolved_from_profiles_linked_in_an_earlier_ingest(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    cs = campaigns(
        "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"
    )
    link = event_dict(
        id="link",
        type="profile_linked",
        platform="web",
        fan="anna",
        attrs={"profile": "x:11"},
        at="2026-12-01T00:00:00Z",
    )
    ingest_events(sessions, cs, [link], source="web", now=NOW)
    ingest_events(sessions, cs, [event_dict(id="rt", at="2026-12-02T00:00:00Z")], source="x", now=NOW)
    ingest_events(
        sessions, cs, [event_dict(id="old", at="2026-11-30T00:00:00Z")], source="x", now=NOW
    )  # before
    with sessions() as session:
        assert [e["event"] for e in fan_ledger(session, "anna")] == ["rt"]
        assert [e["event"] for e in fan_ledger(session, "x:11")] == ["old"]


def test_a_retract_in_a_later_batch_reverses_and_frees_the_cap(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    cs = campaigns("""
        version: 1
        campaigns:
          - id: c
            rules:
              - {id: r, on: retweet, points: 10, max: {count: 1, per: day}}
    """)
    ingest_events(sessions, cs, [event_dict(id="a", at="2026-12-03T09:00:00Z")], source="x", now=NOW)
    retract = event_dict(id="u", type="retract", at="2026-12-03T10:00:00Z", attrs={"retracts": "a"})
    ingest_events(sessions, cs, [retract], source="x", now=NOW)
    ingest_events(sessions, cs, [retract], source="x", now=NOW)  # replayed: nothing more
    ingest_events(sessions, cs, [event_dict(id="b", at="2026-12-03T11:00:00Z")], source="x", now=NOW)
    with sessions() as session:
        ledger = fan_ledger(session, "x:11")
        retracted_by = session.scalar(select(StoredEvent.retracted_by).where(StoredEvent.id == "a"))
    assert [(e["event"], e["points"], e["note"]) for e in ledger] == [
        ("a", 10, ""),
        ("u", -10, "retracted"),
        ("b", 10, ""),
    ]
    assert retracted_by == "u"


def test_items_that_are_not_events_are_quarantined_by_ingest_events(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    cs = campaigns("version: 1\ncampaigns:\n  - id: c\n")
    result = ingest_events(sessions, cs, [{"id": "x"}, event_dict(id="fine")], source="api", now=NOW)
    assert (result.accepted, result.rejected) == (1, 1)
    with sessions() as session:
        error = session.scalar(select(QuarantinedEvent.error))
    assert error.startswith("item 0:")
