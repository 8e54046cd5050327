"""Deleted posts leave the figures and lose their text; old posts too."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from monitoring.listening import listen
from monitoring.retention import purge_deleted
from storage.db import transaction
from storage.models.core import StoredEvent
from tests.monitoring.helpers import BERLIN, ingest, post, refresh


def test_deleted_post_drops_out_and_loses_its_text(db_engine: Engine) -> None:
    sessions = ingest(
        db_engine,
        [
            post("mention", "m1", "2026-12-18T10:00:00Z", "anna", text="Peinlich! #Derby"),
            post("mention", "m2", "2026-12-18T11:00:00Z", "ben", text="Super Spiel"),
        ],
    )
    refresh(sessions)
    retract = {
        "id": "d1",
        "platform": "x",
        "type": "retract",
        "at": "2026-12-19T08:00:00Z",
        "attrs": {"retracts": "m1"},
    }
    ingest(db_engine, [retract])
    now = datetime(2026, 12, 19, 9, tzinfo=UTC)
    with transaction(sessions) as session:
        report = purge_deleted(session, now, BERLIN, retention_days=90)
    assert (report.deleted, report.expired) == (1, 0)
    with sessions() as session:
        m1, m2 = session.get(StoredEvent, "m1"), session.get(StoredEvent, "m2")
        day = listen(session, date(2026, 12, 18), campaign="derby", days=1).days[0]
    assert "text" not in m1.payload and "hashtags" not in m1.payload  # type: ignore[union-attr]
    assert m2.payload["text"] == "Super Spiel"  # type: ignore[union-attr]
    assert (day.mentions, day.negative) == (1, 0)
    with transaction(sessions) as session:  # a second run has nothing left to do
        assert purge_deleted(session, now, BERLIN).deleted == 0


def test_posts_older_than_the_window_lose_text_and_leave_listening(db_engine: Engine) -> None:
    sessions = ingest(
        db_engine,
        [
            post("mention", "old", "2026-09-01T10:00:00Z", "anna", text="Alter Beitrag"),
            post("mention", "new", "2026-12-18T10:00:00Z", "anna", text="Neuer Beitrag"),
        ],
    )
    with transaction(sessions) as session:
        report = purge_deleted(session, datetime(2026, 12, 19, tzinfo=UTC), BERLIN, retention_days=30)
    assert report.expired == 1
    with sessions() as session:
        assert "text" not in session.get(StoredEvent, "old").payload  # type: ignore[union-attr]
        assert listen(session, date(2026, 9, 1), days=1).days[0].mentions == 0
        assert listen(session, date(2026, 12, 18), days=1).days[0].mentions == 1
