"""Batches ingested at the same time, from several threads, add up exactly."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from pipeline import ingest_events
from storage.db import make_sessionmaker
from storage.models.core import Fan, LedgerEntry
from tests.factories import campaigns, event_dict

NOW = datetime(2026, 12, 9, 12, tzinfo=UTC)
CAMPAIGNS = campaigns(
    "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"
)


def test_parallel_batches_for_one_fan_lose_no_update(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                event = event_dict(id=f"w{n}-{i}", at=f"2026-12-0{1 + i % 5}T10:0{n}:00Z", actor="11")
                # every thread also re-sends one shared event: it must count once
                shared = event_dict(id="shared", at="2026-12-01T09:00:00Z", actor="11")
                ingest_events(sessions, CAMPAIGNS, [event, shared], source=f"t{n}", now=NOW)
        except BaseException as exc:  # noqa: BLE001  reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        assert session.get(Fan, "x:11").lifetime_points == 410  # 40 events + the shared one, 10 each
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 41
