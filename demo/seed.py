"""Seed the demo database: schema, campaigns.yaml in force, demo/events.jsonl ingested."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, update

from connectors.config import load_settings
from connectors.runtime import settings_path
from demo.accounts import seed_demo_users
from demo.voices import voice_events
from engine.policy import ScoringPolicy
from engine.rules.model import CampaignSet
from monitoring.scoring import default_scorer
from pipeline import ingest_events, ingest_lines
from storage.db import transaction
from storage.models.core import Fan
from storage.models.monitoring import InfluencerFlag
from storage.schema import ensure_schema

EVENTS = Path(__file__).with_name("events.jsonl")


def seed_demo(app: Flask) -> str:
    """Bring the database up to date and ingest the demo events (idempotent)."""
    ensure_schema(app.extensions["db_engine"])
    registry = app.extensions["campaigns"]
    campaigns = registry.current()
    if campaigns is None:
        raise SystemExit(registry.status.message)
    with EVENTS.open(encoding="utf-8") as lines:
        report = ingest_lines(
            app.extensions["db_sessions"],
            campaigns,
            lines,
            source="demo/events.jsonl",
            now=datetime.now(UTC),
            scorer=default_scorer(),
        )
    _name_accounts(app)
    logins = seed_demo_users(app)
    said = [f"demo: {report.summary()}"]
    if report.duplicates and not report.accepted:
        said.append("demo: its events were already in this database (seeded before); nothing changed")
    said.append(f"demo: {_seed_voices(app, campaigns)}")
    return "\n".join([*said, "demo logins:", *logins])


def _seed_voices(app: Flask, campaigns: CampaignSet) -> str:
    """This week's posts by people outside the programme, taken in as the connectors take
    posts in (unlinked profiles earn nothing), then monitoring's update and flags."""
    from jobs import monitoring_update_job

    settings, errors = load_settings(settings_path(app))
    policy = settings.scoring_policy() if settings is not None else ScoringPolicy()
    now = datetime.now(UTC)
    ingest_events(
        app.extensions["db_sessions"],
        campaigns,
        voice_events(now.date()),
        source="demo/voices",
        now=now,
        scorer=default_scorer(),
        policy=policy,
    )
    monitoring_update_job(app)
    with app.extensions["db_sessions"]() as session:
        waiting = session.scalar(
            select(func.count()).select_from(InfluencerFlag).where(InfluencerFlag.status == "flagged")
        )
    return f"{waiting} influencer(s) waiting for a community manager's review"


def _name_accounts(app: Flask) -> None:
    """Demo fan accounts are called `fan-<handle>`; show them by their handle."""
    with transaction(app.extensions["db_sessions"]) as session:
        for fan in session.query(Fan).filter(Fan.kind == "account", Fan.display_name.is_(None)):
            session.execute(
                update(Fan).where(Fan.id == fan.id).values(display_name=fan.id.removeprefix("fan-"))
            )
