"""Fanfare's Flask application factory; `flask --app app ...` finds `create_app` here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

import cli
from config import Config
from engine.rules.registry import CampaignRegistry
from storage.db import make_engine, make_sessionmaker


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, campaigns in force, web pages and CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("FANFARE")
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = make_sessionmaker(engine)
    app.extensions["campaigns"] = CampaignRegistry(app.config["CAMPAIGNS_PATH"])
    _register_web(app)
    cli.register(app)
    return app


def _register_web(app: Flask) -> None:
    from web import register

    register(app)
