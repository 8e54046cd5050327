"""Stored events for monitoring tests: ingested through the real pipeline with the real scorer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitoring.aggregate import UpdateReport, update
from monitoring.scoring import default_scorer
from pipeline import ingest_events
from storage.db import make_sessionmaker, transaction
from tests.factories import campaigns, event_dict

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)
CAMPAIGNS = campaigns(
    """
    version: 1
    timezone: Europe/Berlin
    rewards:
      - {id: scarf, name: Club scarf, cost: 100, tags: [derby, merch]}
      - {id: espresso, name: Free espresso, cost: 50, tags: [coffee, espresso]}
      - {id: mug, name: Mug, cost: 80}
    campaigns:
      - id: derby
        brand: club
        content: {hashtags: [Derby], mentions: [club]}
      - id: coffee
        content: {hashtags: [AcmeAutumn]}
    """
)


def post(
    kind: str,
    ident: str,
    at: str,
    actor: str,
    *,
    text: str | None = None,
    tags: tuple[str, ...] = ("Derby",),
    followers: int = 100,
    target: str = "club",
    **extra: Any,
) -> dict[str, Any]:
    """A social event by `actor` (handle `actor`, id `id-actor`) about the brand."""
    raw = event_dict(
        kind, id=ident, at=at, actor={"id": f"id-{actor}", "handle": actor, "followers": followers}, **extra
    )
    if "post" in raw:
        raw["post"] = {"id": f"p-{target}", "author": target}
    if text is not None:
        raw["text"] = text
    raw["hashtags"] = list(tags)
    return raw


def ingest(engine: Engine, events: list[dict[str, Any]]) -> sessionmaker[Session]:
    """Store events as production does (scored, processed, one transaction)."""
    sessions = make_sessionmaker(engine)
    ingest_events(sessions, CAMPAIGNS, events, source="test", now=NOW, scorer=default_scorer())
    return sessions


def refresh(sessions: sessionmaker[Session]) -> UpdateReport:
    """Run the incremental aggregate update in its own transaction."""
    with transaction(sessions) as session:
        return update(session, BERLIN)
