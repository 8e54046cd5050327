"""Stored text events without a polarity get one, with its label; others are left alone."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from monitoring.backfill import score_stored
from monitoring.sentiment import score
from storage.db import transaction
from storage.models.core import StoredEvent
from tests.monitoring.helpers import ingest, post


def test_scores_only_unscored_text_events(db_engine: Engine) -> None:
    sessions = ingest(
        db_engine,
        [
            post("mention", "m1", "2026-12-18T10:00:00Z", "anna", text="Peinlich und schlecht"),
            post("mention", "m2", "2026-12-18T11:00:00Z", "ben", text="Super Spiel"),
            post("retweet", "r1", "2026-12-18T12:00:00Z", "cara"),
        ],
    )
    with transaction(sessions) as session:  # as if imported without scoring
        session.execute(
            update(StoredEvent).where(StoredEvent.id == "m1").values(sentiment=None, sentiment_label=None)
        )
    with transaction(sessions) as session:
        assert score_stored(session) == 1
        assert score_stored(session) == 0
        assert score_stored(session, rescore=True) == 2
    with sessions() as session:
        rows = {r.id: (r.sentiment, r.sentiment_label) for r in session.scalars(select(StoredEvent))}
    expected = score("Peinlich und schlecht")
    assert rows["m1"] == (expected.polarity, "negative")
    assert rows["r1"] == (None, None)
