"""Shared fixtures: a clean database on SQLite and on a real PostgreSQL, the Flask app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from storage.db import Base, make_engine
from tests import postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.ThrowawayPostgres]:
    server = postgres.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_engine(postgres_server: postgres.ThrowawayPostgres) -> Iterator[Engine]:
    import storage.models  # noqa: F401  registers every table

    engine = make_engine(postgres_server.url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A database with every table and no rows, once on SQLite and once on PostgreSQL."""
    import storage.models  # noqa: F401

    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.sqlite'}")
        Base.metadata.create_all(engine)
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        _truncate(engine)
        yield engine
