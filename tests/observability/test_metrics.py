"""Gauges read from the database: what waits for the workers, and since when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import generate_latest
from sqlalchemy import Engine

from inbox.router import enqueue_events
from observability.metrics import database_gauges
from storage.db import make_sessionmaker
from tests.factories import campaigns

CAMPAIGNS = campaigns(
    "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"
)


def _retweet(n: int) -> dict:
    return {
        "id": f"e{n}",
        "platform": "x",
        "type": "retweet",
        "at": "2026-12-01T10:00:00Z",
        "actor": {"id": "1"},
        "post": {"id": "p", "author": "club"},
    }


def test_queued_events_and_the_longest_wait_are_gauged_by_source(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    then = datetime(2026, 12, 1, 12, tzinfo=UTC)
    enqueue_events(sessions, CAMPAIGNS, [_retweet(1), _retweet(2)], source="connector:x", now=then)
    enqueue_events(sessions, CAMPAIGNS, [_retweet(3)], source="connector:x", now=then + timedelta(seconds=50))
    enqueue_events(
        sessions, CAMPAIGNS, [_retweet(4)], source="events.jsonl", now=then + timedelta(seconds=80)
    )
    with sessions() as session:
        text = generate_latest(database_gauges(session, then + timedelta(seconds=90))).decode()
    assert 'fanfare_inbox_events{source="connector:x"} 3.0' in text
    assert 'fanfare_inbox_events{source="file"} 1.0' in text
    assert 'fanfare_inbox_oldest_age_seconds{source="connector:x"} 90.0' in text
    assert 'fanfare_inbox_oldest_age_seconds{source="file"} 10.0' in text
