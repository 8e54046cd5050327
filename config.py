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
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True  # the local demo on http://127.0.0.1 turns this off
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Tracked share links: the public address of /l/ (the same prefix as `tracked_links` in
    # connectors.yaml), and per campaign the content a fan's link leads to
    # (FANFARE_TRACKED_LINK_TARGETS='{"autumn-blend": "https://acme.example/autumn"}').
    TRACKED_LINK_BASE = "/l/"
    TRACKED_LINK_TARGETS: dict[str, str] = {}
