"""Shared fixtures: a clean database on SQLite and on a real PostgreSQL, the Flask app."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings
from sqlalchemy import Engine, text

from storage.db import Base, make_engine
from tests import postgres

# The suite runs the same generated cases every time (reproducible, so CI never turns red
# on an example nobody saw locally); `make fuzz` explores new cases with a random seed.
# No deadline: a case that runs slow on a loaded machine is not a failure (speed is
# measured in bench/, not here).
settings.register_profile("suite", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=5000)
settings.load_profile(os.environ.get("FANFARE_HYPOTHESIS_PROFILE", "suite"))

pytest_plugins = ["tests.gamification.fixtures", "tests.loyalty_fixtures"]


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


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    """The Flask app on a fresh SQLite file (flaskr's fixture); CSRF off unless a test turns it on."""
    import storage.models  # noqa: F401
    from app import create_app

    flask_app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "BOARD_CACHE_SECONDS": 0,
        }
    )
    Base.metadata.create_all(flask_app.extensions["db_engine"])
    yield flask_app
    flask_app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def login(app, client):  # type: ignore[no-untyped-def]
    """`login(role)` creates a user of that role and logs the test client in as them."""
    from datetime import UTC, datetime

    from accounts.roles import Role
    from accounts.service import create_user
    from storage.db import transaction

    def _login(role: str = "fan", email: str | None = None):  # type: ignore[no-untyped-def]
        email = email or f"{role}@example.org"
        with transaction(app.extensions["db_sessions"]) as session:
            account = create_user(
                session, email, "password-1234", Role(role), role.title(), datetime.now(UTC)
            )
        response = client.post("/login", data={"email": email, "password": "password-1234"})
        assert response.status_code == 302, response.text
        return account

    return _login
