"""The upgrade path from the first release: a database at revision 0001 holding data as
that release wrote it, upgraded to the newest schema, keeps every row and works on."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, select, text

from storage.db import make_engine, make_sessionmaker
from storage.report import db_report
from storage.schema import alembic_config, ensure_schema

EXAMPLE = Path(__file__).parent.parent / "engine" / "examples" / "derby-week"
T = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _at(hour: int) -> datetime:
    return datetime(2026, 12, 3, hour, tzinfo=UTC)


def _payload(line: int) -> dict:  # type: ignore[type-arg]
    return json.loads((EXAMPLE / "events.jsonl").read_text().splitlines()[line]) | {"attrs": {}}


# What the first release stored after lena's retweet and quote of 3 December (Thursday,
# no boost): 10 points each under `share`, which caps at 2 a day, so her cap is full.
ROWS_0001 = {
    "events": [
        {"id": "x:retweet:900:11", "seq": 2, "platform": "x", "type": "retweet", "at": _at(9),
         "fan_id": "x:11", "profile_key": "x:11", "sentiment": None, "campaigns": ["derby"],
         "retracted_by": None, "payload": _payload(0), "received_at": T},
        {"id": "x:quote:901:11", "seq": 4, "platform": "x", "type": "quote", "at": _at(10),
         "fan_id": "x:11", "profile_key": "x:11", "sentiment": None, "campaigns": ["derby"],
         "retracted_by": None, "payload": _payload(1), "received_at": T},
    ],
    "fans": [
        {"id": "x:11", "kind": "profile", "display_name": "@lena", "lifetime_points": 20,
         "spent_points": 0, "level": "Rookie", "level_at": _at(9), "created_at": T},
    ],
    "ledger": [
        {"seq": 1, "key": "x:retweet:900:11|derby|rule:share|add", "event_id": "x:retweet:900:11",
         "fan_id": "x:11", "campaign_id": "derby", "source": "rule:share", "points": 10, "at": _at(9),
         "note": "", "cap_key": "derby/share/x:11/2026-12-03", "reverses": None},
        {"seq": 3, "key": "x:quote:901:11|derby|rule:share|add", "event_id": "x:quote:901:11",
         "fan_id": "x:11", "campaign_id": "derby", "source": "rule:share", "points": 10, "at": _at(10),
         "note": "", "cap_key": "derby/share/x:11/2026-12-03", "reverses": None},
    ],
    "fan_campaigns": [{"fan_id": "x:11", "campaign_id": "derby", "points": 20}],
    "board_scores": [
        {"board": "derby/all-time", "period": "", "fan_id": "x:11", "points": 20, "last_at": _at(10),
         "last_event": "x:quote:901:11"},
    ],
    "cap_counters": [{"key": "derby/share/x:11/2026-12-03", "fan_id": "x:11", "count": 2, "points": 20}],
}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """An engine on a database with no tables at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    admin = request.getfixturevalue("postgres_engine").execution_options(isolation_level="AUTOCOMMIT")
    name = f"upgrade_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = make_engine(server.url.rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name}"))


def _write_first_release_data(engine: Engine) -> None:
    """Raw inserts into the tables as revision 0001 made them (reflected, not today's models)."""
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as conn:
        for name, rows in ROWS_0001.items():
            conn.execute(tables.tables[name].insert(), rows)


def _rows(engine: Engine, name: str) -> list[dict]:  # type: ignore[type-arg]
    tables = MetaData()
    tables.reflect(engine, only=[name])
    table = tables.tables[name]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]


def test_a_first_release_database_upgrades_and_keeps_working(empty_database: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ensure_schema(empty_database, "0001")
    with empty_database.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0001"
    _write_first_release_data(empty_database)

    ensure_schema(empty_database)

    with empty_database.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head
    for name, rows in ROWS_0001.items():
        columns = list(rows[0])
        kept = [{k: _plain(r[k]) for k in columns} for r in _rows(empty_database, name)]
        assert _sorted(kept) == _sorted([{k: _plain(v) for k, v in row.items()} for row in rows]), name
    assert [r["seq"] for r in _rows(empty_database, "board_scores")] == [0]  # 0003's default
    assert [r["anonymous"] for r in _rows(empty_database, "fans")] in ([False], [0])

    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": empty_database.url.render_as_string(hide_password=False),
            "SECRET_KEY": "x",
            "CAMPAIGNS_PATH": str(EXAMPLE / "campaigns.yaml"),
            "BOARD_CACHE_SECONDS": 0,
        }
    )
    try:
        result = app.test_cli_runner().invoke(
            args=["ingest", str(EXAMPLE / "events.jsonl"), "--now", "2026-12-09T12:00:00Z"]
        )
        assert result.exit_code == 0, result.output
        # The whole file again: the two old events are duplicates now, the rest is new.
        assert "5 event(s) accepted" in result.output
        with make_sessionmaker(empty_database)() as session:
            got = db_report(session)
        expected = json.loads((EXAMPLE / "expected.json").read_text())
        assert got["fans"] == expected["fans"] and got["leaderboards"] == expected["leaderboards"]
        page = app.test_client().get("/c/derby")
        assert page.status_code == 200 and "@lena" in page.text
    finally:
        app.extensions["db_engine"].dispose()


def _plain(value: object) -> object:
    """Compare times as UTC instants (SQLite hands them back without a zone)."""
    if isinstance(value, datetime):
        return (
            value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
        )
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _sorted(rows: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return sorted(rows, key=lambda row: json.dumps(row, default=str, sort_keys=True))
