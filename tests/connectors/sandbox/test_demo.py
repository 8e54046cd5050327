"""The demo's sources: scripted activity in the sandbox reaches the leaderboard through the scheduler."""

from __future__ import annotations

import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select, update

from accounts.roles import Role
from accounts.service import create_user
from app import create_app
from connectors.sandbox.demo import FANS, ActivityScript, start_demo_sources
from connectors.sandbox.world import recorded_world
from monitoring.config import MonitoringConfig
from pipeline import ingest_events
from storage.db import transaction
from storage.models.connectors import ConnectorSource
from storage.models.core import StoredEvent
from storage.schema import ensure_schema
from storage.state_store import aware
from tests.connectors.helpers import CAMPAIGNS, CAMPAIGNS_YAML, SETTINGS_YAML, T0, points

POINTS = {
    "mention": 5,
    "quote": 15,
    "reply": 5,
    "retweet": 2,
    "comment": 0,
    "boost": 0,
}  # comments and boosts: Facebook and Mastodon profiles not linked


LINKED = {f"fan-{handle}": f"x:{user_id}" for user_id, handle, _ in FANS[:6]}
BRIAN = "fan-brewbrian"  # the demo's fan login
EVERY_SECOND = dict.fromkeys(("mentions", "search", "posts", "deletions", "tagged"), timedelta(seconds=1))


@pytest.fixture(autouse=True)
def _insecure_transport_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo allows OAuth over plain http in its process; no other test inherits that."""
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)


def _demo_app(tmp_path: Path) -> Flask:
    (tmp_path / "campaigns.yaml").write_text(textwrap.dedent(CAMPAIGNS_YAML))
    (tmp_path / "connectors.yaml").write_text(SETTINGS_YAML)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}",
            "CAMPAIGNS_PATH": str(tmp_path / "campaigns.yaml"),
            "DEMO_WORLD_PATH": str(tmp_path / "sandbox-world.json"),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    ensure_schema(app.extensions["db_engine"])
    links = [
        {
            "id": f"web:link:{fan}",
            "platform": "web",
            "type": "profile_linked",
            "at": "2026-10-01T00:00:00Z",
            "fan": fan,
            "attrs": {"profile": p},
        }
        for fan, p in LINKED.items()
    ]
    ingest_events(app.extensions["db_sessions"], CAMPAIGNS, links, source="test", now=T0)
    return app


def _wait_for(check, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_scripted_activity_moves_the_leaderboard(tmp_path: Path) -> None:
    app = _demo_app(tmp_path)
    sessions = app.extensions["db_sessions"]
    linked = LINKED
    demo = start_demo_sources(app, every=EVERY_SECOND, activity_seconds=3600)
    try:
        steps = [demo.script.step() for _ in range(len(FANS))]
        expected: dict[str, int] = {}
        for (_, handle, _), step in zip(FANS, steps, strict=True):
            kind = step.split()[0]
            if f"fan-{handle}" in linked and POINTS[kind]:
                expected[f"fan-{handle}"] = expected.get(f"fan-{handle}", 0) + POINTS[kind]
        _wait_for(lambda: points(sessions) == expected)
    finally:
        demo.stop()
    assert expected and points(sessions) == expected, steps


def test_a_restarted_demo_still_has_what_its_fans_posted(tmp_path: Path) -> None:
    """The sandbox lives in memory; a restart that forgot the posts of the last run would
    have the deletion sweep take them all back (and their points)."""
    app = _demo_app(tmp_path)
    sessions = app.extensions["db_sessions"]
    first = start_demo_sources(app, every=EVERY_SECOND, activity_seconds=3600)
    world = first.server.world
    try:
        recorded = set(world.x_tweets)
        steps = [first.script.step() for _ in range(2 * len(FANS))]
        posted = set(world.x_tweets) - recorded
        _wait_for(lambda: posted <= _x_posts(sessions))
    finally:
        first.stop()
    assert posted and posted <= _x_posts(sessions), steps
    earned = points(sessions)
    restarted = datetime.now(UTC)
    again = start_demo_sources(app, every=EVERY_SECOND, activity_seconds=3600)
    try:
        _wait_for(lambda: "x:deletions" in _polled_after(sessions, restarted))
        assert "x:deletions" in _polled_after(sessions, restarted)  # it looked every post up again
    finally:
        again.stop()
    with sessions() as session:
        undone = session.scalars(select(StoredEvent.id).where(StoredEvent.type == "retract")).all()
    assert undone == []
    now = points(sessions)  # a late poll of the reposters may still add, nothing takes away
    assert all(now.get(fan, 0) >= total for fan, total in earned.items()), (earned, now)


def _x_posts(sessions) -> set[str]:  # type: ignore[no-untyped-def]
    """The ids of the X posts stored so far."""
    with sessions() as session:
        ids = session.scalars(select(StoredEvent.id).where(StoredEvent.platform == "x"))
        return {event_id.rpartition(":")[2] for event_id in ids}


def _polled_after(sessions, moment: datetime) -> set[str]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        rows = session.execute(select(ConnectorSource.name, ConnectorSource.last_ok_at)).all()
    return {name for name, at in rows if at is not None and aware(at) > moment}


def test_the_kept_world_round_trips_through_json_and_a_broken_file_is_not_fatal(tmp_path: Path) -> None:
    from connectors.sandbox.demo import ActivityScript, demo_world, save_world
    from connectors.sandbox.world import recorded_world

    world = recorded_world()
    script = ActivityScript(world)
    for _ in range(len(FANS)):
        script.step()
    kept = tmp_path / "world.json"
    save_world(world, kept)
    assert demo_world(kept).content() == world.content() != recorded_world().content()
    kept.write_text("{not json")
    assert demo_world(kept).content() == recorded_world().content()


def test_the_demo_fan_links_his_facebook_profile_and_his_comments_earn(tmp_path: Path) -> None:
    """The sandbox plays the platforms' login pages too: Connect runs its real OAuth flow."""
    app = _demo_app(tmp_path)
    sessions = app.extensions["db_sessions"]
    with transaction(sessions) as session:
        create_user(
            session, "brian@example.org", "password-1234", Role.FAN, "Brian", T0, fan_id="fan-brewbrian"
        )
    client = app.test_client()
    client.post("/login", data={"email": "brian@example.org", "password": "password-1234"})
    demo = start_demo_sources(app, every=EVERY_SECOND, activity_seconds=3600)
    try:
        page = client.get("/me").text
        assert 'href="/connect/facebook/start"' in page
        assert 'href="/connect/x/start"' not in page  # his X profile is linked already
        start = client.get("/connect/facebook/start")
        assert start.headers["Location"].startswith(f"{demo.server.url}/oauth/facebook/authorize?")
        approved = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
        back = urlsplit(approved.headers["Location"])
        page = client.get(f"{back.path}?{back.query}", follow_redirects=True).text
        assert "Your Facebook profile Brian O&#39;Neill is linked." in page
        assert '<span class="platform">Facebook</span> Brian O&#39;Neill' in page
        before = points(sessions).get(BRIAN, 0)
        demo.script.perform("comment", next(fan for fan in FANS if fan[1] == "brewbrian"))
        with transaction(sessions) as session:  # the brand's post is weeks old: polled every 48 ticks
            session.execute(update(ConnectorSource).values(next_due_at=None))
        _wait_for(lambda: _fan_of_comments(sessions) == {BRIAN})
    finally:
        demo.stop()
    assert _fan_of_comments(sessions) == {BRIAN}
    assert points(sessions)[BRIAN] == before + POINTS["reply"]  # `reply` covers comments: 5 points


def _fan_of_comments(sessions) -> set[str | None]:  # type: ignore[no-untyped-def]
    """Who the Facebook comments by brewbrian's profile (linked just now) counted for."""
    with sessions() as session:
        query = select(StoredEvent.fan_id).where(
            StoredEvent.type == "comment", StoredEvent.profile_key == "facebook:91000002"
        )
        return set(session.scalars(query))


def test_a_long_demo_does_not_make_every_fan_an_influencer() -> None:
    """Followers stay what people have; the list flags those over `min_followers` only."""
    world = recorded_world()
    script = ActivityScript(world)
    for _ in range(2000):  # over two hours of activity at one step every four seconds
        script.step(T0)
    least = MonitoringConfig().influencers.min_followers
    followers = {
        handle: world.x_users[user_id]["public_metrics"]["followers_count"] for user_id, handle, _ in FANS
    }
    over = {handle for handle, count in followers.items() if count >= least}
    assert over == {"coffeecritic", "random_roaster"}
