"""The connectors of a Flask app: settings, sources and the poller, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from connectors.config import ConnectorSettings, load_settings
from connectors.poller import Poller
from connectors.registry import Connectors, build
from engine.rules.errors import format_errors
from engine.rules.model import CampaignSet
from monitoring.scoring import default_scorer


class ConnectorsNotConfigured(RuntimeError):
    """connectors.yaml is missing or has errors (the message lists them)."""


@dataclass
class Runtime:
    """Everything a poll needs."""

    settings: ConnectorSettings
    connectors: Connectors
    poller: Poller


def settings_path(app: Flask) -> Path:
    """connectors.yaml: `CONNECTORS_PATH`, or beside the campaigns file."""
    configured = app.config.get("CONNECTORS_PATH")
    return Path(configured) if configured else Path(app.config["CAMPAIGNS_PATH"]).with_name("connectors.yaml")


def runtime(app: Flask) -> Runtime:
    """The app's connectors (built on first use; `CONNECTORS_SANDBOX` points them at a sandbox)."""
    existing = app.extensions.get("connectors")
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    settings, errors = load_settings(settings_path(app))
    if settings is None:
        raise ConnectorsNotConfigured(format_errors(errors))
    connectors = build(
        settings, app.config.get("CONNECTORS_SANDBOX"), int(app.config.get("CONNECTORS_PAGE_SIZE", 100))
    )
    poller = Poller(
        sessions=app.extensions["db_sessions"],
        campaigns=lambda: current_campaigns(app),
        policy=settings.scoring_policy(),
        rates=connectors.rates,
        pricing=connectors.pricing,
        scorer=default_scorer(),
        queue=bool(app.config.get("INGEST_QUEUE")),
    )
    app.extensions["connectors"] = made = Runtime(settings, connectors, poller)
    return made


def current_campaigns(app: Flask) -> CampaignSet:
    """The campaigns in force (the registry keeps the last valid file)."""
    registry = app.extensions["campaigns"]
    campaigns = registry.current()
    if campaigns is None:
        raise ConnectorsNotConfigured(registry.status.message)
    return campaigns  # type: ignore[no-any-return]
