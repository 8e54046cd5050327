"""`seeded_app`: a fresh SQLite database with a small campaigns file and a few events ingested.

Registered as a plugin by tests/conftest.py, so any test module can ask for it."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from app import create_app
from pipeline import close_periods, ingest_events
from storage.schema import ensure_schema
from tests.factories import event_dict as ev

CAMPAIGNS = """
version: 1
timezone: Europe/Berlin
levels:
  - {name: Fan, points: 10}
  - {name: Star, points: 30}
rewards:
  - {id: mug, name: Enamel mug, cost: 15, stock: 2, per_fan: 1}
  - {id: sticker, name: Sticker, cost: 5}
campaigns:
  - id: c
    name: Cup
    brand: acme
    rules:
      - {id: r, on: retweet, points: 10}
    badges:
      - {id: first, name: First retweet, on: retweet, count: 1, description: Retweeted us once}
      - {id: top, name: Top of the day, leaderboard: daily, rank: 1}
    leaderboards:
      - {id: all-time}
      - {id: daily, period: day}
"""

NOW = datetime(2026, 12, 10, tzinfo=UTC)
SIGNING_KEY = (
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)


@pytest.fixture
def seeded_app(tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    path = tmp_path / "campaigns.yaml"
    path.write_text(textwrap.dedent(CAMPAIGNS))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "CAMPAIGNS_PATH": str(path),
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SESSION_COOKIE_SECURE": False,
            "BADGES_BASE_URL": "https://fanfare.example",
            "BADGES_SIGNING_KEY": SIGNING_KEY,
        }
    )
    ensure_schema(app.extensions["db_engine"])
    events = [
        ev(id="a1", actor="1", at="2026-12-01T09:00:00Z"),
        ev(id="a2", actor="1", at="2026-12-01T10:00:00Z"),
        ev(id="a3", actor="1", at="2026-12-01T11:00:00Z"),
        ev(id="b1", actor="2", at="2026-12-01T12:00:00Z"),
        ev(id="c1", actor="3", at="2026-12-02T12:00:00Z"),
    ]
    campaigns = app.extensions["campaigns"].current()
    ingest_events(app.extensions["db_sessions"], campaigns, events, source="x", now=NOW)
    close_periods(app.extensions["db_sessions"], campaigns, NOW)
    yield app
    app.extensions["db_engine"].dispose()
