"""Fanfare's Flask application factory; `flask --app app ...` finds `create_app` here."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

import cli
from accounts.privacy import default_registry
from config import Config
from engine.rules.registry import CampaignRegistry
from observability.logs import configure_logging
from storage.db import make_engine, make_sessionmaker
from storage.encryption import TokenCipher, instance_token_key

csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, campaigns in force, web pages and CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("FANFARE")
    if test_config:
        app.config.from_mapping(test_config)
    configure_logging(app.config.get("LOG_FORMAT"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / "secret_key")
    if not app.config.get("TOKEN_KEY"):
        app.config["TOKEN_KEY"] = instance_token_key(Path(app.instance_path) / "token_key")
    app.extensions["token_cipher"] = TokenCipher(app.config["TOKEN_KEY"])
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = make_sessionmaker(engine)
    app.extensions["campaigns"] = CampaignRegistry(
        app.config["CAMPAIGNS_PATH"], interval=app.config["CAMPAIGNS_RELOAD_SECONDS"]
    )
    app.extensions["privacy"] = default_registry()
    csrf.init_app(app)
    _register_web(app)
    cli.register(app)
    return app


def instance_secret(path: Path) -> str:
    """A random key made once per installation and kept readable by its owner only."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _register_web(app: Flask) -> None:
    from web import register

    register(app)
