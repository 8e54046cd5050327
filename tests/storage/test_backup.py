"""Backup and restore on SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from engine.rules.loader import load_campaigns
from pipeline import ingest_lines
from storage.backup import BackupError, restore
from storage.db import make_sessionmaker
from storage.models.core import LedgerEntry, StoredEvent
from storage.report import db_report

EXAMPLE = Path(__file__).parent.parent / "engine" / "examples" / "derby-week"
NOW = datetime(2026, 12, 9, 12, tzinfo=UTC)


def _state(engine: Engine) -> dict:  # type: ignore[type-arg]
    with make_sessionmaker(engine)() as session:
        return db_report(session) | {
            "events": session.scalar(select(func.count()).select_from(StoredEvent)),
            "ledger": sorted(session.execute(select(LedgerEntry.key, LedgerEntry.points)).all()),
        }


@pytest.fixture
def cli_app(db_engine, tmp_path):  # type: ignore[no-untyped-def]
    from app import create_app

    url = db_engine.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", "TOKEN_KEY": None})
    yield app
    app.extensions["db_engine"].dispose()


def test_a_restore_brings_back_the_ledger_and_boards_of_backup_time(cli_app, db_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    campaigns, _ = load_campaigns(EXAMPLE / "campaigns.yaml")
    lines = (EXAMPLE / "events.jsonl").read_text().splitlines()
    first, later = lines[: len(lines) // 2], lines[len(lines) // 2 :]
    sessions = make_sessionmaker(db_engine)
    ingest_lines(sessions, campaigns, first, source="first.jsonl", now=NOW)
    at_backup = _state(db_engine)
    assert at_backup["events"] == len(first) and at_backup["ledger"]

    runner = cli_app.test_cli_runner()
    file = tmp_path / "backups" / "fanfare.backup"
    done = runner.invoke(args=["db", "backup", str(file)])
    assert done.exit_code == 0, done.output
    assert f"to {file}" in done.output and file.stat().st_size > 0

    ingest_lines(sessions, campaigns, later, source="later.jsonl", now=NOW)
    after_more = _state(db_engine)
    assert after_more["events"] > at_backup["events"] and after_more["fans"] != at_backup["fans"]

    refused = runner.invoke(args=["db", "restore", str(file)], input="n\n")
    assert refused.exit_code == 1 and _state(db_engine) == after_more
    done = runner.invoke(args=["db", "restore", "--yes", str(file)])
    assert done.exit_code == 0, done.output
    db_engine.dispose()
    assert _state(db_engine) == at_backup

    # The restored database takes the rest of the stream and ends as if it never left.
    ingest_lines(sessions, campaigns, later, source="later.jsonl", now=NOW)
    assert _state(db_engine) == after_more


def test_a_file_that_is_not_a_backup_changes_nothing(db_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    campaigns, _ = load_campaigns(EXAMPLE / "campaigns.yaml")
    lines = (EXAMPLE / "events.jsonl").read_text().splitlines()
    ingest_lines(make_sessionmaker(db_engine), campaigns, lines, source="x.jsonl", now=NOW)
    before = _state(db_engine)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all" * 100)
    with pytest.raises(BackupError):
        restore(db_engine, junk)
    with pytest.raises(BackupError, match="no such backup file"):
        restore(db_engine, tmp_path / "missing.backup")
    assert _state(db_engine) == before
