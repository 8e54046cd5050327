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


def test_bulk_backfill_in_worker_processes_matches_in_process(db_engine: Engine) -> None:
    texts = ["Peinlich und schlecht", "Super Spiel 🔥", "RT @club: Super Spiel 🔥", "Not good. Sad.", "ok"]
    events = [
        post("mention", f"m{i}", f"2026-12-18T10:{i:02d}:00Z", f"fan{i % 3}", text=texts[i % len(texts)])
        for i in range(12)
    ]
    sessions = ingest(db_engine, events)
    with transaction(sessions) as session:
        session.execute(update(StoredEvent).values(sentiment=None, sentiment_label=None))
    with transaction(sessions) as session:  # chunks of 5: more than one chunk starts the pool
        assert score_stored(session, chunk=5, workers=2) == 12
        assert score_stored(session, chunk=5, workers=2) == 0
    with sessions() as session:
        rows = {r.id: (r.sentiment, r.sentiment_label) for r in session.scalars(select(StoredEvent))}
    expected = {
        f"m{i}": (score(texts[i % len(texts)]).polarity, score(texts[i % len(texts)]).label)
        for i in range(12)
    }
    assert rows == expected
    # peinlich -2.4 + schlecht -2.5 = -4.9; VADER's compound -4.9 / sqrt(4.9² + 15) = -0.7845
    assert rows["m0"] == (-0.7845, "negative")
    assert rows["m3"][1] == "negative"
