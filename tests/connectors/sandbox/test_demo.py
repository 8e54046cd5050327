"""The demo's sources: scripted activity in the sandbox reaches the leaderboard through the scheduler."""

from __future__ import annotations

import textwrap
import time
from datetime import timedelta
from pathlib import Path

from app import create_app
from connectors.sandbox.demo import FANS, start_demo_sources
from pipeline import ingest_events
from storage.schema import ensure_schema
from tests.connectors.helpers import CAMPAIGNS, CAMPAIGNS_YAML, SETTINGS_YAML, T0, points

POINTS = {
    "mention": 5,
    "quote": 15,
    "reply": 5,
    "retweet": 2,
    "comment": 0,
    "boost": 0,
}  # comments and boosts: Facebook and Mastodon profiles not linked


def test_scripted_activity_moves_the_leaderboard(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").write_text(textwrap.dedent(CAMPAIGNS_YAML))
    (tmp_path / "connectors.yaml").write_text(SETTINGS_YAML)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}",
            "CAMPAIGNS_PATH": str(tmp_path / "campaigns.yaml"),
        }
    )
    ensure_schema(app.extensions["db_engine"])
    sessions = app.extensions["db_sessions"]
    linked = {f"fan-{handle}": f"x:{user_id}" for user_id, handle, _ in FANS[:6]}
    links = [
        {
            "id": f"web:link:{fan}",
            "platform": "web",
            "type": "profile_linked",
            "at": "2026-10-01T00:00:00Z",
            "fan": fan,
            "attrs": {"profile": p},
        }
        for fan, p in linked.items()
    ]
    ingest_events(sessions, CAMPAIGNS, links, source="test", now=T0)
    demo = start_demo_sources(
        app,
        every=dict.fromkeys(("mentions", "search", "posts", "deletions", "tagged"), timedelta(seconds=1)),
        activity_seconds=3600,
    )
    try:
        steps = [demo.script.step() for _ in range(len(FANS))]
        expected: dict[str, int] = {}
        for (_, handle, _), step in zip(FANS, steps, strict=True):
            kind = step.split()[0]
            if f"fan-{handle}" in linked and POINTS[kind]:
                expected[f"fan-{handle}"] = expected.get(f"fan-{handle}", 0) + POINTS[kind]
        deadline = time.monotonic() + 30
        while points(sessions) != expected and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        demo.stop()
    assert expected and points(sessions) == expected, steps
