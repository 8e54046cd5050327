"""Posts about the brand for the community managers' pages, stored through the real pipeline.

Times are relative to now (the pages count from today), in the campaigns' timezone.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from monitoring.aggregate import update
from monitoring.scoring import default_scorer
from pipeline import ingest_events
from storage.db import transaction
from storage.models.monitoring import InfluencerFlag

COMMUNITY_YAML = textwrap.dedent(
    """\
    version: 1
    timezone: Europe/Berlin
    rewards:
      - {id: scarf, name: Club scarf, cost: 100, tags: [derby, merch]}
      - {id: espresso, name: Free espresso, cost: 50, tags: [coffee, espresso]}
      - {id: mug, name: Mug, cost: 80}
    campaigns:
      - id: derby
        name: Derby day
        brand: club
        content: {hashtags: [Derby], mentions: [club]}
      - id: coffee
        name: Acme autumn
        content: {hashtags: [AcmeAutumn]}
    monitoring:
      influencers: {min_score: 0, min_followers: 1000, min_posts: 3, min_positive: 0.6}
    """
)
SCRIPT = "<script>alert('x')</script> Great derby, love it!"


def post(
    ident: str,
    hours_ago: float,
    actor: str,
    text: str,
    *,
    tags: tuple[str, ...] = ("Derby",),
    followers: int = 100,
) -> dict[str, Any]:
    """A mention by `actor` (id `id-actor`) `hours_ago` hours before now."""
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    return {
        "id": ident,
        "platform": "x",
        "type": "mention",
        "at": at.isoformat().replace("+00:00", "Z"),
        "actor": {"id": f"id-{actor}", "handle": actor, "followers": followers},
        "text": text,
        "hashtags": list(tags),
    }


def seed_events() -> list[dict[str, Any]]:
    """anna (4 positive #Derby posts), ben (3 #AcmeAutumn, 2 positive), carl (3 with a script tag)."""
    anna = [post(f"a{i}", 2 + i, "anna", "Bester Verein der Welt 💙", followers=42_000) for i in range(4)]
    ben = [
        post(
            "b0",
            3,
            "ben",
            "Love this coffee, best espresso ever!",
            tags=("AcmeAutumn", "espresso"),
            followers=15_000,
        ),
        post("b1", 4, "ben", "Great espresso, thank you!", tags=("AcmeAutumn",), followers=15_000),
        post("b2", 5, "ben", "The coffee was cold and awful today.", tags=("AcmeAutumn",), followers=15_000),
    ]
    carl = [post(f"c{i}", 6 + i, "@carl", SCRIPT, followers=2_500) for i in range(3)]
    return anna + ben + carl


FLAGS = (
    # author, score, reasons (as monitoring.influencers words them)
    ("x:anna", 71.5, ["42k followers", "4 posts this week", "100% positive"]),
    ("x:ben", 55.0, ["15k followers", "3 posts this week", "67% positive"]),
    ("x:@carl", 48.2, ["=2.5k followers", "3 posts this week", "100% positive"]),
)


def seed(app: Flask, *, flags: bool = True) -> None:
    """Store the events, bring the aggregates up to date, and (optionally) flag the three authors."""
    campaigns = app.extensions["campaigns"].current()
    sessions = app.extensions["db_sessions"]
    now = datetime.now(UTC)
    ingest_events(sessions, campaigns, seed_events(), source="test", now=now, scorer=default_scorer())
    with transaction(sessions) as session:
        update(session, campaigns.tz)
        if flags:
            for n, (author, score, reasons) in enumerate(FLAGS):
                at = now - timedelta(days=n)
                session.add(
                    InfluencerFlag(
                        author=author, status="flagged", score=score, reasons=reasons, flagged_at=at
                    )
                )
