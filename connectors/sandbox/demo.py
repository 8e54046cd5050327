"""The offline demo's social platforms: the sandbox, a scripted stream of fan activity, and the pollers.

`start_demo_sources(app)` serves the recorded world on 127.0.0.1, adds a new post,
repost or comment every few seconds (by the demo's fans, whose X profiles are
linked in demo/events.jsonl, and by a few strangers who are only listened to),
points the app's connectors at it by configuration, and starts the scheduler in
background threads, so the leaderboard moves while the demo runs.
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from connect.sandbox_provider import SandboxUsers, urls
from connectors.config import load_settings
from connectors.poller import Poller
from connectors.registry import build
from connectors.runtime import Runtime, current_campaigns, settings_path
from connectors.sandbox.server import OAUTH_PREFIX, SandboxServer
from connectors.sandbox.world import BRAND_X_ID, BRAND_X_POST, FB_POST, MASTODON_STATUS, World, recorded_world
from connectors.x.source import snowflake
from demo.voices import publish_voices
from engine.rules.errors import format_errors
from monitoring.scoring import default_scorer

log = logging.getLogger(__name__)

DEMO_EVERY = {
    "mentions": timedelta(seconds=5),
    "search": timedelta(seconds=10),
    "posts": timedelta(seconds=5),
    "deletions": timedelta(minutes=10),
    "tagged": timedelta(seconds=30),
}
MASTODON_EVERY = {**DEMO_EVERY, "posts": timedelta(seconds=30)}
# The demo's fans with linked X profiles x:1000000 ... (demo/events.jsonl), and two strangers.
FANS = [
    ("1000000", "latte_lena", "Lena Vogt"),
    ("1000001", "mocha_mika", "Mika Brandt"),
    ("1000002", "brewbrian", "Brian O'Neill"),
    ("1000003", "coffeecritic", "The Coffee Critic"),
    ("1000005", "espresso_ela", "Ela Yilmaz"),
    ("1000007", "crema_clara", "Clara Schulz"),
    ("4100000001", "passing_pat", "Pat (not linked)"),
    ("4100000002", "random_roaster", "Random Roaster (not linked)"),
]
# Followers as people have them: most fans a few hundred, the critic and one stranger
# over the influencer list's 1,000 (campaigns.yaml, `monitoring.influencers`), growing
# slowly while the demo runs. Counts that grew with every post made every fan an
# "influencer" within minutes.
FOLLOWERS = {
    "latte_lena": 640,
    "mocha_mika": 410,
    "brewbrian": 310,
    "coffeecritic": 2650,
    "espresso_ela": 480,
    "crema_clara": 760,
    "passing_pat": 95,
    "random_roaster": 1300,
}
WORDS = [
    "Loving the new #AcmeAutumn blend, @acmecoffee! ☕🍂",
    "@acmecoffee best morning cup in town, thank you! #AcmeAutumn",
    "Great service at @acmecoffee today :) #AcmeAutumn",
    "@acmecoffee قهوة رائعة! wonderful autumn roast 😍",
]


class ActivityScript:
    """Adds one new piece of fan activity to the world per step, deterministically."""

    KEEP_EVERY = 10  # steps between two calls of `keep`

    def __init__(self, world: World, seed: int = 7, keep: Callable[[], None] | None = None) -> None:
        self.world, self.rng, self.count = world, random.Random(seed), 0
        self.keep = keep  # saves the world, every few steps and when stopped
        self._keeping = threading.Lock()  # `run`'s thread and `stop`'s caller may both save
        self._stop = threading.Event()

    def step(self, now: datetime | None = None) -> str:
        """One new activity; returns what it was."""
        kind = ("mention", "quote", "reply", "retweet", "comment", "boost")[self.rng.randrange(6)]
        return self.perform(kind, FANS[self.count % len(FANS)], now)

    def perform(self, kind: str, fan: tuple[str, str, str], now: datetime | None = None) -> str:
        """One activity of this kind by this person (`FANS`' shape); returns what it was."""
        now = now or datetime.now(UTC)
        self.count += 1
        user_id, handle, name = fan
        user = {
            "id": user_id,
            "username": handle,
            "name": name,
            "public_metrics": {"followers_count": FOLLOWERS[handle] + self.count // 20},
        }
        if kind == "boost":  # a reblog of the brand's Mastodon status
            self.world.add_notification(self._boost(user, now))
        elif kind == "retweet":
            self.world.retweet(BRAND_X_POST, user)
        elif kind == "comment":
            comment = {
                "id": f"1290045583271104_{1600000000000000 + self.count}",
                "message": self.rng.choice(WORDS).replace("@acmecoffee", "Acme"),
                "created_time": now.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "from": {"id": facebook_id(user_id), "name": name},
            }
            self.world.add_fb_item(FB_POST, "comments", comment)
        else:
            self.world.add_tweet(self._tweet(kind, user_id, now), user)
        return f"{kind} by @{handle}"

    def _tweet(self, kind: str, user_id: str, now: datetime) -> dict[str, Any]:
        post_id, text = snowflake(now, self.count % 4096), self.rng.choice(WORDS)
        tweet: dict[str, Any] = {
            "id": post_id,
            "edit_history_tweet_ids": [post_id],
            "text": text,
            "author_id": user_id,
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": BRAND_X_POST if kind == "reply" else post_id,
            "lang": "en",
            "entities": {
                "mentions": [
                    {
                        "start": text.index("@"),
                        "end": text.index("@") + 11,
                        "username": "acmecoffee",
                        "id": BRAND_X_ID,
                    }
                ],
                "hashtags": [{"start": 0, "end": 0, "tag": "AcmeAutumn"}] if "#AcmeAutumn" in text else [],
            },
        }
        if kind in {"quote", "reply"}:
            tweet["referenced_tweets"] = [
                {"type": "quoted" if kind == "quote" else "replied_to", "id": BRAND_X_POST}
            ]
        if kind == "reply":
            tweet["in_reply_to_user_id"] = BRAND_X_ID
        return tweet

    def _boost(self, user: dict[str, Any], now: datetime) -> dict[str, Any]:
        account = {"id": f"11{user['id']}", "username": user["username"], "acct": user["username"]}
        account |= {
            "display_name": user["name"],
            "followers_count": user["public_metrics"]["followers_count"],
        }
        return {
            "id": str(90000000 + self.count),
            "type": "reblog",
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "account": account,
            "status": self.world.m_statuses[MASTODON_STATUS],
        }

    def run(self, period: float) -> None:
        """Step every `period` seconds until stopped."""
        while not self._stop.wait(period):
            self.step()
            if self.count % self.KEEP_EVERY == 0:
                self._keep()

    def stop(self) -> None:
        """End `run`, keeping the world as it is."""
        self._stop.set()
        self._keep()

    def _keep(self) -> None:
        if self.keep is not None:
            with self._keeping:
                self.keep()


@dataclass
class DemoSources:
    """The running sandbox, activity script and scheduler; `stop()` ends all three."""

    server: SandboxServer
    script: ActivityScript
    scheduler: BackgroundScheduler

    def stop(self) -> None:
        """Stop polling, stop the activity, stop serving."""
        self.scheduler.shutdown(wait=False)
        self.script.stop()
        self.server.stop()


def start_demo_sources(
    app: Flask, *, every: dict[str, timedelta] | None = None, activity_seconds: float = 4.0
) -> DemoSources:
    """Serve the sandbox, script new activity, and poll it on schedule (connectors.yaml, faster)."""
    from jobs import start_background

    settings, errors = load_settings(settings_path(app))
    if settings is None:
        raise SystemExit(format_errors(errors))
    every = every or DEMO_EVERY
    settings = replace(
        settings,
        x=replace(settings.x, every=every) if settings.x else None,
        facebook=replace(settings.facebook, every=every) if settings.facebook else None,
        mastodon=replace(settings.mastodon, every=MASTODON_EVERY) if settings.mastodon else None,
    )
    kept = Path(app.config.get("DEMO_WORLD_PATH") or Path(app.instance_path) / "sandbox-world.json")
    world = demo_world(kept)
    publish_voices(world, datetime.now(UTC).date())
    users = demo_login_users()
    server = SandboxServer(world, oauth=users).start()
    app.config["CONNECTORS_SANDBOX"] = server.url
    connect_to_sandbox(app, f"{server.url}{OAUTH_PREFIX}", users)
    connectors = build(settings, server.url)
    poller = Poller(
        app.extensions["db_sessions"],
        lambda: current_campaigns(app),
        settings.scoring_policy(),
        connectors.rates,
        connectors.pricing,
        default_scorer(),
    )
    app.extensions["connectors"] = Runtime(settings, connectors, poller)
    script = ActivityScript(server.world, keep=lambda: save_world(world, kept))
    threading.Thread(target=script.run, args=(activity_seconds,), name="demo-activity", daemon=True).start()
    return DemoSources(server, script, start_background(app))


def demo_login_users() -> SandboxUsers:
    """Whom the sandbox's login pages approve: the demo fan's own profiles (brewbrian).

    His X profile is linked in demo/events.jsonl; his Facebook one is not, so the demo
    fan can link it and see his next comments earn."""
    user_id, handle, name = next(fan for fan in FANS if fan[1] == "brewbrian")
    return SandboxUsers(
        client_id="fanfare-demo",
        client_secret=secrets.token_urlsafe(24),  # made per run, kept nowhere
        x_user={"id": user_id, "username": handle, "name": name},
        facebook_user={"id": facebook_id(user_id), "name": name},
    )


def connect_to_sandbox(app: Flask, base: str, users: SandboxUsers) -> None:
    """Point Connect (fans linking profiles) at the sandbox's login pages at `base`."""
    app.config.update(urls(base))
    for platform in ("X", "FACEBOOK"):
        app.config[f"{platform}_CLIENT_ID"] = users.client_id
        app.config[f"{platform}_CLIENT_SECRET"] = users.client_secret
    # requests-oauthlib's own switch for plain http; the sandbox is served on 127.0.0.1 only.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def facebook_id(x_user_id: str) -> str:
    """The Facebook user id the script comments as, for the person with this X user id."""
    return f"9{x_user_id}"


def demo_world(kept: Path) -> World:
    """The recorded world, holding what an earlier demo run added to it (`kept`).

    The sandbox lives in memory, while the database keeps what the connectors took from it:
    a restarted demo that forgot its fans' posts would see them as deleted, and the
    connectors would take all their points back."""
    world = recorded_world()
    if kept.exists():
        try:
            world.restore(json.loads(kept.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("sandbox world %s unreadable (%s); starting from the recordings", kept, exc)
    return world


def save_world(world: World, kept: Path) -> None:
    """Write what the platforms hold, replacing the file whole (a crash leaves the old one)."""
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_suffix(".partial")
    partial.write_text(json.dumps(world.content()), encoding="utf-8")
    os.replace(partial, kept)
