"""Backups of the database and their restore, while the app keeps running.

SQLite: the sqlite3 online backup API copies the database page by page under its own
locks, so a backup taken during ingestion is a consistent snapshot, and a restore
writes the pages back the same way. PostgreSQL: pg_dump's custom format (a consistent
snapshot in one transaction) and pg_restore in one transaction, dropping and recreating
every object of the dump, so a failed restore leaves the database as it was.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with the reason."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What was written or read."""

    path: Path
    dialect: str
    size: int


def backup(engine: Engine, path: Path) -> BackupResult:
    """Write a consistent copy of the database `engine` connects to into `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        with _sqlite(engine) as source, sqlite3.connect(path) as target:
            source.backup(target)
        target.close()
    elif dialect == "postgresql":
        _run_pg("pg_dump", engine.url, ["--format=custom", "--no-owner", "--no-privileges", f"--file={path}"])
    else:
        raise BackupError(f"backups of {dialect} databases are not supported")
    return BackupResult(path, dialect, path.stat().st_size)


def restore(engine: Engine, path: Path) -> BackupResult:
    """Replace the database's content by the backup in `path` (made by `backup`)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    dialect = engine.dialect.name
    engine.dispose()  # no pooled connection keeps the old pages or holds a lock
    if dialect == "sqlite":
        _check_sqlite_file(path)
        with sqlite3.connect(path) as source, _sqlite(engine) as target:
            source.backup(target)
        source.close()
    elif dialect == "postgresql":
        options = ["--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges"]
        _run_pg("pg_restore", engine.url, [*options, str(path)])
    else:
        raise BackupError(f"restoring {dialect} databases is not supported")
    engine.dispose()
    return BackupResult(path, dialect, path.stat().st_size)


class _sqlite:
    """A plain sqlite3 connection to the engine's database file, closed on exit."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database
        if not database or database == ":memory:":
            raise BackupError("an in-memory SQLite database has no file to back up")
        self.connection = sqlite3.connect(database, timeout=30)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


def _check_sqlite_file(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite backup ({exc})") from None


def _run_pg(tool: str, url: URL, args: list[str]) -> None:
    """Run pg_dump or pg_restore against `url`; the password goes by environment, never argv."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [_pg_binary(tool), *args, f"--dbname={conninfo}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.returncode}")


def _pg_binary(tool: str) -> str:
    """The newest installed `tool` (a dump needs a client at least as new as the server)."""
    versioned = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), key=_major)
    found = versioned[-1] if versioned else shutil.which(tool)
    if not found:
        raise BackupError(f"{tool} is not installed (Debian package postgresql-client)")
    return found


def _major(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0
