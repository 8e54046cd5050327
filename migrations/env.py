"""Alembic environment: the app's metadata; a connection passed in, or DATABASE_URL."""

from __future__ import annotations

from alembic import context

import storage.models  # noqa: F401  registers every table
from config import Config
from storage.db import Base, make_engine

target_metadata = Base.metadata


def run_migrations() -> None:
    """Run against `config.attributes["connection"]` when given, else DATABASE_URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or Config.DATABASE_URL)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
