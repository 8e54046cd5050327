"""One leader per cluster: the process holding a lock for as long as it lives.

The scheduler's jobs must run once per cluster, not once per process, however many
scheduler processes are started (a second one is a warm standby). PostgreSQL: a
session-level advisory lock on a connection kept open for it; when the process dies
its connection closes and the lock passes to a standby. SQLite (one machine): an
exclusive lock on a file beside the database, released by the kernel when the
process dies.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

SCHEDULER_LOCK_ID = 0x46414E53


@contextmanager
def leadership(engine: Engine, stop: threading.Event, *, retry_seconds: float = 5.0) -> Iterator[Any]:
    """Wait until this process leads (or `stop` is set), and lead inside the block.

    Yields a check that returns False once leadership is lost (the database connection
    that held it broke): the leader must then stop, and a standby takes over.
    """
    if engine.dialect.name == "postgresql":
        with _postgresql(engine, stop, retry_seconds) as alive:
            yield alive
    else:
        with _file_lock(engine, stop, retry_seconds) as alive:
            yield alive


@contextmanager
def _postgresql(engine: Engine, stop: threading.Event, retry_seconds: float) -> Iterator[Any]:
    connection = engine.connect()
    try:
        while not stop.is_set():
            held = connection.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": SCHEDULER_LOCK_ID})
            connection.commit()
            if held:
                break
            stop.wait(retry_seconds)

        def alive() -> bool:
            try:
                connection.scalar(text("SELECT 1"))
                connection.commit()
            except Exception:  # noqa: BLE001  any failure means the lock may be gone
                return False
            return True

        yield alive
    finally:
        # Closed for real, not returned to the pool: the session lock goes with it.
        connection.invalidate()
        connection.close()


@contextmanager
def _file_lock(engine: Engine, stop: threading.Event, retry_seconds: float) -> Iterator[Any]:
    database = engine.url.database or ""
    path = Path(f"{database}.scheduler.lock") if database and database != ":memory:" else None
    if path is None:  # an in-memory database belongs to this process alone
        yield lambda: True
        return
    with path.open("w") as handle:
        while not stop.is_set():
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                stop.wait(retry_seconds)
        yield lambda: True
