"""Configuration defaults; the environment overrides them (secrets only come from there)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent


class Config:
    """Defaults for a local run: SQLite in instance/, the campaigns.yaml beside this file.

    `DATABASE_URL` (PostgreSQL in production) and `FANFARE_*` variables override these;
    `FANFARE_SECRET_KEY` must be set outside development.
    """

    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'fanfare.sqlite'}")
    CAMPAIGNS_PATH = str(ROOT / "campaigns.yaml")
    SECRET_KEY = "dev-only-not-secret"
    CAMPAIGNS_RELOAD_SECONDS = 2.0
