"""Stored boards through rank indexes: same listing as simulate, kept current across ingests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from pipeline import ingest_events
from storage.db import make_sessionmaker
from storage.leaderboards import BoardIndexes, around, page, search
from tests.factories import campaigns
from tests.factories import event_dict as ev

NOW = datetime(2026, 12, 20, tzinfo=UTC)
CS = campaigns("""
    version: 1
    timezone: Europe/Berlin
    campaigns:
      - id: c
        rules:
          - {id: r, on: retweet, points: 10}
        leaderboards:
          - {id: all-time}
          - {id: daily, period: day}
""")


def rts(*fans_at: tuple[str, str]) -> list[dict]:
    return [ev(actor=fan, at=at) for fan, at in fans_at]


def listing(rows: list[dict]) -> list[tuple[int, str, int]]:
    return [(r["rank"], r["fan"], r["points"]) for r in rows]


def test_pages_ranks_and_neighbours_follow_the_board_and_catch_up_with_new_scores(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    first = rts(
        ("1", "2026-12-01T09:00:00Z"),
        ("2", "2026-12-01T10:00:00Z"),
        ("3", "2026-12-01T11:00:00Z"),
        ("3", "2026-12-01T12:00:00Z"),
        ("4", "2026-12-01T13:00:00Z"),
    )
    ingest_events(sessions, CS, first, source="x", now=NOW)
    indexes = BoardIndexes()
    with sessions() as session:
        assert listing(page(session, indexes, "c/all-time", "", 0, 10)) == [
            (1, "x:3", 20),
            (2, "x:1", 10),
            (2, "x:2", 10),
            (2, "x:4", 10),
        ]
        assert listing(page(session, indexes, "c/all-time", "", 2, 2)) == [(2, "x:2", 10), (2, "x:4", 10)]
        near = around(session, indexes, "c/all-time", "", "x:2", 1)
        assert [r["fan"] for r in near] == ["x:1", "x:2", "x:4"]
        assert [r["name"] for r in search(session, indexes, "c/all-time", "", "H4")] == ["@h4"]
    # a later ingest: x:4 passes everyone; the same indexes pick up only the changed rows
    later = rts(("4", "2026-12-02T09:00:00Z"), ("4", "2026-12-02T10:00:00Z"), ("5", "2026-12-02T11:00:00Z"))
    ingest_events(sessions, CS, later, source="x", now=NOW)
    with sessions() as session:
        assert listing(page(session, indexes, "c/all-time", "", 0, 10)) == [
            (1, "x:4", 30),
            (2, "x:3", 20),
            (3, "x:1", 10),
            (3, "x:2", 10),
            (3, "x:5", 10),
        ]
        assert listing(page(session, indexes, "c/daily", "2026-12-02", 0, 10)) == [
            (1, "x:4", 20),
            (2, "x:5", 10),
        ]
        fresh = BoardIndexes()
        rebuilt = page(session, fresh, "c/all-time", "", 0, 10)
        assert rebuilt == page(session, indexes, "c/all-time", "", 0, 10)


def test_a_retraction_that_brings_a_score_to_zero_takes_the_fan_off_the_board(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    ingest_events(sessions, CS, [ev(id="a", actor="1"), ev(id="b", actor="2")], source="x", now=NOW)
    indexes = BoardIndexes()
    with sessions() as session:
        assert len(indexes.get(session, "c/all-time", "")) == 2
    retract = ev(id="u", type="retract", at="2026-12-04T10:00:00Z", attrs={"retracts": "a"})
    ingest_events(sessions, CS, [retract], source="x", now=NOW)
    with sessions() as session:
        assert listing(page(session, indexes, "c/all-time", "", 0, 10)) == [(1, "x:2", 10)]
        assert indexes.get(session, "c/all-time", "").rank("x:1") is None
