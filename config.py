"""Configuration defaults; the environment overrides them (secrets only come from there)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent


class Config:
    """Defaults for a local run: SQLite in instance/, the campaigns.yaml beside this file.

    `DATABASE_URL` (PostgreSQL in production) and `FANFARE_*` variables override these.
    `FANFARE_SECRET_KEY` signs sessions; without it a random key is generated once into
    instance/secret_key (never committed), so no installation runs on a known key.
    """

    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'fanfare.sqlite'}")
    CAMPAIGNS_PATH = str(ROOT / "campaigns.yaml")
    SECRET_KEY: str | None = None
    CAMPAIGNS_RELOAD_SECONDS = 2.0
    # FANFARE_INGEST_QUEUE=1: connectors queue events for `flask --app app worker` processes
    # (docs/workers.md) instead of applying them in the scheduler's process.
    INGEST_QUEUE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True  # the local demo on http://127.0.0.1 turns this off
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BABEL_DEFAULT_LOCALE = "en"
    BOARD_CACHE_SECONDS = 2.0  # anonymous visitors may see a leaderboard this old
    # Operations (docs/operations.md): FANFARE_LOG_FORMAT=json|text (JSON unless on a
    # terminal); FANFARE_METRICS_TOKEN lets a scraper read /metrics without a login.
    LOG_FORMAT: str | None = None
    METRICS_TOKEN: str | None = None

    # Fernet key(s) for secrets at rest (FANFARE_TOKEN_KEY); generated into instance/ if unset.
    TOKEN_KEY: str | None = None
    # Open loyalty currency (docs/loyalty.md).
    API_RATE_LIMIT_PER_MINUTE = 120
    API_SIGNATURE_SKEW_SECONDS = 300
    API_IDEMPOTENCY_HOURS = 72  # how long the answer to an Idempotency-Key is kept for retries
    CLAIM_CODE_DAYS = 30
    # Where messages to fans (identity confirmations) are written for the mail relay to
    # send, one .eml file each (FANFARE_MAIL_OUTBOX); None: instance/outbox.
    MAIL_OUTBOX: str | None = None
    LOYALTY_BIRTHDAY_POINTS = 50
    LOYALTY_ANNIVERSARY_POINTS = 0  # 0 turns anniversary points off
    LOYALTY_TIMEZONE = "UTC"  # the day birthdays and anniversaries are counted in
    # Connect (OAuth); client ids and secrets only from the environment.
    X_OAUTH_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
    X_OAUTH_TOKEN_URL = "https://api.x.com/2/oauth2/token"
    X_OAUTH_ME_URL = "https://api.x.com/2/users/me"
    X_OAUTH_SCOPES = "tweet.read users.read offline.access"
    X_CLIENT_ID: str | None = None
    X_CLIENT_SECRET: str | None = None
    FACEBOOK_OAUTH_AUTHORIZE_URL = "https://www.facebook.com/v26.0/dialog/oauth"
    FACEBOOK_OAUTH_TOKEN_URL = "https://graph.facebook.com/v26.0/oauth/access_token"
    FACEBOOK_OAUTH_ME_URL = "https://graph.facebook.com/v26.0/me"
    FACEBOOK_OAUTH_SCOPES = "public_profile"
    FACEBOOK_CLIENT_ID: str | None = None
    FACEBOOK_CLIENT_SECRET: str | None = None
    # Tracked share links: the public address of /l/ (the same prefix as `tracked_links` in
    # connectors.yaml), and per campaign the content a fan's link leads to
    # (FANFARE_TRACKED_LINK_TARGETS='{"autumn-blend": "https://acme.example/autumn"}').
    TRACKED_LINK_BASE = "/l/"
    TRACKED_LINK_TARGETS: dict[str, str] = {}
    # Monitoring's scheduled jobs (jobs.py): the incremental update and the purge of deleted posts.
    MONITORING_UPDATE_SECONDS = 300
    MONITORING_PURGE_SECONDS = 3600
