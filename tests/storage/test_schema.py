"""Alembic's migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

import storage.models  # noqa: F401  registers every table
from storage.db import Base, make_engine
from storage.schema import alembic_config, ensure_schema


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    admin = make_engine(server.url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS migrated"))
        conn.execute(text("CREATE DATABASE migrated"))
    engine = make_engine(server.url.rsplit("/", 1)[0] + "/migrated")
    yield engine
    engine.dispose()
    admin.dispose()


def test_migrations_match_the_models(empty_engine: Engine) -> None:
    ensure_schema(empty_engine)
    with empty_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(empty_engine: Engine) -> None:
    ensure_schema(empty_engine)
    ensure_schema(empty_engine)
    with empty_engine.connect() as conn:
        versions = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    assert versions == set(ScriptDirectory.from_config(alembic_config()).get_heads())
