"""Every text event is stored with its polarity and its label; events without text with neither."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from monitoring.scoring import default_scorer
from pipeline import ingest_events
from storage.db import make_sessionmaker
from storage.models.core import StoredEvent
from tests.factories import campaigns, event_dict

CAMPAIGNS = campaigns(
    """
    version: 1
    campaigns:
      - id: club
        content: {hashtags: [FCN]}
        rules:
          - {id: mention, on: mention, if: {sentiment: {min: 0.2}}, points: 5}
    """
)


def test_text_events_carry_polarity_and_label(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    events = [
        event_dict("mention", id="m1", text="Bester Verein der Welt 💙 #FCN", hashtags=["FCN"]),
        event_dict("mention", id="m2", text="Schon wieder verloren, peinlich #FCN", hashtags=["FCN"]),
        event_dict("mention", id="m3", text="Anpfiff um 15:30 #FCN", hashtags=["FCN"]),
        event_dict("retweet", id="r1"),
    ]
    report = ingest_events(
        sessions,
        CAMPAIGNS,
        events,
        source="t",
        now=datetime(2026, 12, 9, tzinfo=UTC),
        scorer=default_scorer(),
    )
    assert report.points == 5  # only the positive mention passes `sentiment: {min: 0.2}`
    with sessions() as session:
        rows = {r.id: (r.sentiment, r.sentiment_label) for r in session.scalars(select(StoredEvent))}
    assert rows["m1"][0] > 0.2 and rows["m1"][1] == "positive"
    assert rows["m2"][0] < -0.05 and rows["m2"][1] == "negative"
    assert rows["m3"] == (0.0, "neutral")
    assert rows["r1"] == (None, None)
