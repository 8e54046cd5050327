"""Planner statistics kept current while tables grow fast (PostgreSQL).

Ingestion looks rows up by key in tables that a backlog grows from nothing to millions
of rows within minutes, faster than autovacuum re-analyses them; with statistics of a
tiny table the planner scans instead of using an index, and a batch's lookups took most
of its time (measured: 8 of 16 s). PostgreSQL's advice for bulk loads is to ANALYZE as
they go; a process that ingests calls `refresh` after each batch, and every
`every_seconds` one of them analyses the tables ingestion reads (a try-lock keeps two
processes from doing it at once).

Only the tables whose rows changed by more than `GROWTH` of their size since they were
last analysed: statistics go stale when a table's shape changes, not when it adds a few
per cent to millions of rows, and an ANALYZE of the ten tables cost the server about a
second each time (measured at 100,000 events: 12–25 µs per event, a tenth of its work).
A table growing from nothing is analysed about once per doubling.

A table that has never been analysed is analysed as soon as it has `LEAST` changed rows
(processes look at most once a second, and stop looking once every table has
statistics), without waiting for its turn: with no statistics at all the planner looked
board scores up by the index of a board period's changes instead of their key, reading
the whole period for each score (measured: 1.1 s for one batch's 7,500 lookups, against
13 ms by key once the table had been analysed).
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, TextClause, text
from sqlalchemy.orm import Session, sessionmaker

TABLES = (
    "events",
    "inbox",
    "linked_profiles",
    "fans",
    "fan_campaigns",
    "cap_counters",
    "badge_progress",
    "badge_grants",
    "board_scores",
    "ledger",
)
LOCK_ID = 0x46414E41
GROWTH = 0.5  # share of a table's rows changed (inserted, updated, deleted) since its analysis
LEAST = 500  # rows: below this many changes a table is left alone, however small it is

_DUE = text(
    "SELECT s.relname FROM pg_stat_user_tables AS s JOIN pg_class AS c ON c.oid = s.relid "
    "WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables) "
    "AND s.n_mod_since_analyze > greatest(:least, :growth * c.reltuples) ORDER BY s.relname"
)


_NEVER = text(
    "SELECT s.relname FROM pg_stat_user_tables AS s "
    "WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables) "
    "AND s.last_analyze IS NULL AND s.last_autoanalyze IS NULL "
    "AND s.n_mod_since_analyze >= :least ORDER BY s.relname"
)


class Statistics:
    """Re-analyses the ingestion tables of one database at most every `every_seconds`."""

    def __init__(
        self, engine: Engine, every_seconds: float = 30.0, unseen_every_seconds: float = 1.0
    ) -> None:
        self.engine = engine
        self.every = every_seconds
        self.unseen_every = unseen_every_seconds  # between looks for tables never analysed
        self._last = time.monotonic() - every_seconds + min(5.0, every_seconds)  # first after 5 s
        self._unseen = True  # some tables may never have been analysed
        self._looked = 0.0  # when this process last looked for them

    @classmethod
    def of(cls, sessions: sessionmaker[Session]) -> Statistics | None:
        """For the database a session factory is bound to (None when not bound to an engine)."""
        bind = sessions.kw.get("bind")
        return cls(bind) if isinstance(bind, Engine) else None

    def refresh(self) -> tuple[str, ...]:
        """Analyse the tables due, if it is time (PostgreSQL only); the tables it analysed."""
        if self.engine.dialect.name != "postgresql":
            return ()
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            return self._analyse(_DUE, {"growth": GROWTH})
        if self._unseen and time.monotonic() - self._looked >= self.unseen_every:
            self._looked = time.monotonic()
            return self._analyse(_NEVER, {})
        return ()

    def _analyse(self, query: TextClause, params: dict[str, float]) -> tuple[str, ...]:
        with self.engine.connect() as connection:
            if not connection.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": LOCK_ID}):
                return ()  # another process is at it
            due = tuple(connection.scalars(query, {"tables": list(TABLES), "least": LEAST, **params}))
            if due:
                connection.execute(text(f"ANALYZE {', '.join(due)}"))
            self._unseen = _any_unseen(connection)
            connection.commit()
        return due


def _any_unseen(connection: Connection) -> bool:
    """Whether an ingestion table has still never been analysed (by anyone)."""
    query = text(
        "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() "
        "AND relname = ANY(:tables) AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
    )
    return (connection.scalar(query, {"tables": list(TABLES)}) or 0) < len(TABLES)
