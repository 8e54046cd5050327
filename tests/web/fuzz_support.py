"""What the fuzzers share: an app on either database, a snapshot of every table, strategies."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from storage.db import Base

# Written by a refused request on purpose: the guard counts calls and remembers signatures.
GUARD_TABLES = frozenset({"api_rate_windows", "api_nonces", "login_failures", "claim_failures"})

# Text that breaks naive code: markup, SQL, format strings, NUL, surrogates' neighbours, RTL.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "'; DROP TABLE fans; --",
    "' OR '1'='1",
    "%s%s%n{0}{}",
    "{{7*7}}",
    "../../etc/passwd",
    "\u202eevil",
    "\ufeff",
    "😀" * 3,
    "Ä" * 400,
    "x" * 5000,
    "9" * 40,
    "-1",
    "0",
    "1e309",
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=60), st.text(string.printable, max_size=300))
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    JSON_SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def make_app(database_url: str, tmp_path: Path, extra: dict[str, Any] | None = None) -> Flask:
    """The app on `database_url` with every table; CSRF on, as in production."""
    import storage.models  # noqa: F401
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "fuzz-secret",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "BOARD_CACHE_SECONDS": 0,
            "API_RATE_LIMIT_PER_MINUTE": 10**9,
            **(extra or {}),
        }
    )
    Base.metadata.create_all(app.extensions["db_engine"])
    return app


def database_url(request: Any, tmp_path: Path) -> Iterator[str]:
    """A clean database URL on SQLite or on the throwaway PostgreSQL (request.param)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fuzz.sqlite'}"
        return
    engine = request.getfixturevalue("postgres_engine")
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield request.getfixturevalue("postgres_server").url


def snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every table a refused request must not touch, and the point totals
    (one query, so that a fuzzer can afford it per case)."""
    with engine.connect() as conn:
        return {name: int(n) for name, n in conn.execute(_SNAPSHOT)}


def _snapshot_sql() -> str:
    import storage.models  # noqa: F401  registers every table

    names = [t.name for t in Base.metadata.sorted_tables if t.name not in GUARD_TABLES]
    parts = [f"SELECT '{name}', COUNT(*) FROM {name}" for name in names]
    parts.append("SELECT 'ledger points', COALESCE(SUM(points), 0) FROM ledger")
    parts.append("SELECT 'fan points', COALESCE(SUM(lifetime_points), 0) FROM fans")
    return " UNION ALL ".join(parts)


_SNAPSHOT = text(_snapshot_sql())
