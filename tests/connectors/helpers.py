"""Shared pieces of the connector tests: a campaign, linked fans, settings, a poller on the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.config import ConnectorSettings, load_settings_text
from connectors.poller import Poller
from connectors.registry import Connectors, build
from pipeline import ingest_events
from storage.db import make_sessionmaker
from storage.models.core import Fan, LedgerEntry, StoredEvent
from tests.factories import campaigns

# Every social type earns, so what the policy and the consent gate hold back shows.
CAMPAIGNS_YAML = """
    version: 1
    campaigns:
      - id: listen
        starts: 2026-01-01
        ends: 2027-12-31
        rules:
          - {id: quote, on: quote, points: 15}
          - {id: reply, on: [reply, comment], points: 5}
          - {id: mention, on: mention, points: 5}
          - {id: repost, on: retweet, points: 2}
          - {id: like, on: like, points: 1}
          - {id: share, on: share, points: 10}
          - {id: connect, on: profile_linked, points: 0}
    """
CAMPAIGNS = campaigns(CAMPAIGNS_YAML)

SETTINGS_YAML = """\
version: 1
x:
  brand: {id: "1432281941406646272", handle: acmecoffee}
  posts: ["2107108545131447506"]
  hashtags: [AcmeAutumn]
  links: ["acme.example/autumn"]
  tracked_links: "https://acme.example/s/"
  monthly_budget_usd: 25
facebook:
  page: {id: "104857392817465", name: Acme Coffee}
  posts: ["104857392817465_1290045583271104"]
"""

MASTODON_YAML = """\
version: 1
mastodon:
  instance: https://mastodon.example
  brand: {id: "109348211274630185", acct: acmecoffee}
  tracked_links: "https://acme.example/s/"
"""

# Profiles whose owners linked them (and so agreed to be scored).
LINKS = {
    "fan-lena": [
        "x:1105408086635569728",
        "facebook:7391028374650912",
        "mastodon:latte_lena@mastodon.example",
    ],
    "fan-mika": ["x:1614547938309145037", "mastodon:mocha_mika@social.example"],
    "fan-critic": ["x:15478392"],
    "fan-rosa": ["facebook:8204716395810274"],
}
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def settings(text: str = SETTINGS_YAML) -> ConnectorSettings:
    loaded, errors = load_settings_text(text)
    assert loaded is not None, errors
    return loaded


def link_fans(sessions: sessionmaker[Session], at: str = "2026-01-02T00:00:00Z") -> None:
    events = [
        {
            "id": f"web:link:{p}",
            "platform": "web",
            "type": "profile_linked",
            "at": at,
            "fan": fan,
            "attrs": {"profile": p},
        }
        for fan, profiles in LINKS.items()
        for p in profiles
    ]
    ingest_events(sessions, CAMPAIGNS, events, source="test", now=T0)


@dataclass
class Rig:
    """A poller on a database and a sandbox, with the sources built from settings."""

    sessions: sessionmaker[Session]
    connectors: Connectors
    poller: Poller
    clock: Clock

    def poll(self, name: str, *, force: bool = True):  # type: ignore[no-untyped-def]
        return self.poller.poll(self.connectors.sources[name], force=force)

    def poll_all(self) -> dict[str, str]:
        return {name: self.poll(name).status for name in self.connectors.sources}


def rig(
    db_engine: Engine,
    sandbox_url: str,
    *,
    page_size: int = 100,
    text: str = SETTINGS_YAML,
    clock: Clock | None = None,
    timeout: float = 5.0,
) -> Rig:
    clock = clock or Clock()
    sessions = make_sessionmaker(db_engine)
    loaded = settings(text)
    connectors = build(loaded, sandbox_url, page_size, clock, timeout)
    poller = Poller(
        sessions,
        lambda: CAMPAIGNS,
        loaded.scoring_policy(),
        connectors.rates,
        connectors.pricing,
        None,
        clock,
    )
    return Rig(sessions, connectors, poller, clock)


def points(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Lifetime points of every fan account with any."""
    with sessions() as session:
        return {f.id: f.lifetime_points for f in session.scalars(select(Fan)) if f.lifetime_points}


def ledger_total(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return sum(session.scalars(select(LedgerEntry.points)))


def stored(sessions: sessionmaker[Session], prefix: str = "") -> dict[str, str | None]:
    """Stored event ids (with a prefix) -> the fan they count for."""
    with sessions() as session:
        rows = session.execute(
            select(StoredEvent.id, StoredEvent.fan_id).where(StoredEvent.id.startswith(prefix))
        )
        return dict(rows.all())  # type: ignore[arg-type]


def retracted(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        rows = session.execute(
            select(StoredEvent.id, StoredEvent.retracted_by).where(StoredEvent.retracted_by.is_not(None))
        )
        return dict(rows.all())  # type: ignore[arg-type]


Factory = Callable[..., Rig]
