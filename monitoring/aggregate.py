"""Keep monitoring's aggregates up to date from the stored events, reading each event once.

`update` reads the events stored since its cursor (by `seq`, in chunks) and adds their
contributions to the daily listening figures, the authors' daily features, the
who-shares-whom edges and fans' interests (`monitoring.contributions` says what each
event adds; `monitoring.fold` sums many at once). A `retract` (un-retweet, deleted post)
subtracts what the undone event added, so deleted posts leave every figure. Old rows
are never re-read: an update costs what the new events cost.

Only events about the brand count: those that matched at least one campaign's content
(`events.campaigns` not empty), so a fan's posts about anything else are never used.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from monitoring.contributions import Delta, add_event, event_row
from monitoring.fold import Fold
from storage.db import MONITORING_LOCK_ID, take_lock
from storage.models.core import StoredEvent
from storage.models.monitoring import (
    Author,
    AuthorDay,
    FanInterest,
    ListeningDay,
    ListeningTerm,
    MonitorCursor,
    ShareEdge,
)
from storage.state_store import chunks

CURSOR = "aggregate"
CHUNK = 20_000
# The columns an update reads, as the driver returns them: SQLite hands over JSON and
# datetimes as text, decoded here once without the ORM's per-value processing
# (PostgreSQL's driver decodes them itself). `contributions.event_row` decodes a row.
COLUMNS = (
    StoredEvent.seq,
    StoredEvent.type,
    type_coerce(StoredEvent.at, Text).label("at"),
    StoredEvent.fan_id,
    StoredEvent.profile_key,
    StoredEvent.sentiment_label,
    type_coerce(StoredEvent.campaigns, Text).label("campaigns"),
    StoredEvent.retracted_by,
    type_coerce(StoredEvent.payload, Text).label("payload"),
)


@dataclass(frozen=True, slots=True)
class UpdateReport:
    """What one update read."""

    events: int
    retracted: int
    cursor: int


def update(session: Session, tz: tzinfo, *, chunk: int = CHUNK) -> UpdateReport:
    """Fold every event stored since the last update into the aggregates (one transaction).

    Updates take turns (a lock held to the end of the caller's transaction): two at once
    would read the same cursor and count the same events twice.
    """
    take_lock(session, MONITORING_LOCK_ID)
    with collection_paused():
        return _update(session, tz, chunk)


def _update(session: Session, tz: tzinfo, chunk: int) -> UpdateReport:
    start = cursor(session, CURSOR)
    position, events, retracted = start, 0, 0
    delta = Delta()  # summed over all chunks: each aggregate row is written once per update
    fold = Fold(tz)
    while True:
        rows = driver_rows(
            session, select(*COLUMNS).where(StoredEvent.seq > position).order_by(StoredEvent.seq).limit(chunk)
        )
        if not rows:
            break
        undone = fold.add_rows(rows)
        retracted += _subtract(session, delta, [u for u in undone if u], start, tz)
        events += len(rows)
        position = rows[-1][0]
    fold.into(delta)
    flush(session, delta)
    set_cursor(session, CURSOR, position)
    return UpdateReport(events, retracted, position)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector paused for the block (reference counting still frees all).

    A bulk update allocates several dicts per event while its sums grow to millions of
    entries, which the collector would otherwise walk again and again: an eighth of the
    update's time. The sums hold no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def driver_rows(session: Session, query: Any) -> list[Any]:
    """The rows of a query as the driver returns them (plain tuples, in the query's column order).

    SQLAlchemy's result rows cost about 4 µs each to build, a tenth of what an event costs
    the whole update. Parameters still go through their types' bind processors (a JSON
    path on SQLite, for one)."""
    connection = session.connection()
    dialect = connection.dialect
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    for name, value in values.items():
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            values[name] = process(value)
    params = [values[n] for n in compiled.positiontup] if compiled.positional else values
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _subtract(session: Session, delta: Delta, ids: list[str], start: int, tz: tzinfo) -> int:
    """Take back what undone events added, if an earlier update counted them."""
    count = 0
    for part in chunks(ids):
        for raw in session.execute(select(*COLUMNS).where(StoredEvent.id.in_(part))):
            if raw.seq <= start and raw.type != "retract":
                add_event(delta, event_row(raw), tz, -1)
                count += 1
    return count


# -- writing ------------------------------------------------------------------------------


def flush(session: Session, delta: Delta) -> None:
    """Add a delta to the tables (insert new keys, add to existing counts)."""
    day_fields = ("mentions", "positive", "neutral", "negative")
    days = _pivot(delta.days, day_fields)
    add_counts(
        session, ListeningDay, ("campaign", "day", *day_fields), [(*k, *v.values()) for k, v in days.items()]
    )
    add_counts(
        session,
        ListeningTerm,
        ("campaign", "day", "kind", "term", "count"),
        [(c, d, k, t[:200], n) for (c, d, k, t), n in delta.terms.items() if n],
    )
    fields = ("posts", "positive", "negative", "engagement", "shares", "reach")
    author_days = _pivot(delta.author_days, fields)
    add_counts(
        session, AuthorDay, ("author", "day", *fields), [(*k, *v.values()) for k, v in author_days.items()]
    )
    add_counts(
        session,
        ShareEdge,
        ("source", "target", "count"),
        [(s, t, n) for (s, t), n in delta.edges.items() if n],
    )
    add_counts(
        session,
        FanInterest,
        ("fan_id", "kind", "term", "count"),
        [(f, k, t[:200], n) for (f, k, t), n in delta.interests.items() if n],
    )
    _upsert_authors(session, list(delta.authors.values()))


def _pivot(counter: Counter[Any], names: Iterable[str]) -> dict[tuple[Any, Any], dict[str, int]]:
    rows: dict[tuple[Any, Any], dict[str, int]] = defaultdict(lambda: dict.fromkeys(names, 0))
    for (*key, name), value in counter.items():
        rows[tuple(key)][name] += value  # type: ignore[index]
    return {k: v for k, v in rows.items() if any(v.values())}


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def add_counts(session: Session, model: type, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows (values of `names`, the primary key first); where the key exists, add
    their counts to the stored ones."""
    if not rows:
        return
    keys = [c.name for c in model.__table__.primary_key.columns]  # type: ignore[attr-defined]
    stmt = _insert(session)(model)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={c: getattr(model, c) + getattr(stmt.excluded, c) for c in names if c not in keys},
    )
    execute_many(session, stmt, names, rows)


def execute_many(session: Session, stmt: Any, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """One statement for many rows through the driver's executemany.

    The statement is compiled once and each value converted by its column type's bind
    processor only where the type has one (dates on SQLite): SQLAlchemy's general per-row
    parameter handling costs as much as the database's own upsert for these narrow rows."""
    connection = session.connection()
    dialect = connection.dialect
    compiled = stmt.compile(dialect=dialect, column_keys=list(names))
    processors = [compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    # each day converted once (a few dozen days among hundreds of thousands of rows)
    converting = [(i, _memoised(p)) for i, p in enumerate(processors) if p is not None]
    if converting:
        rows = [_converted(row, converting) for row in rows]
    if compiled.positional:
        order = [names.index(n) for n in compiled.positiontup]  # type: ignore[union-attr]
        params: list[Any] = (
            rows if order == list(range(len(names))) else [tuple([r[i] for i in order]) for r in rows]
        )
    else:
        params = [dict(zip(names, row, strict=True)) for row in rows]
    connection.exec_driver_sql(str(compiled), params)


def _memoised(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor converting each distinct day once (other values each time: equal
    datetimes in different zones would not convert alike)."""
    done: dict[date, Any] = {}

    def convert(value: Any) -> Any:
        if type(value) is not date:
            return process(value)
        found = done.get(value)
        if found is None:
            found = done[value] = process(value)
        return found

    return convert


def _converted(row: tuple[Any, ...], converting: list[tuple[int, Any]]) -> tuple[Any, ...]:
    values = list(row)
    for i, process in converting:
        values[i] = process(values[i])
    return tuple(values)


def _upsert_authors(session: Session, rows: list[dict[str, Any]]) -> None:
    """An author as last seen; an older post never overwrites a newer one's follower count."""
    if not rows:
        return
    stmt = _insert(session)(Author)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={c: getattr(stmt.excluded, c) for c in ("handle", "profile_key", "followers", "last_at")},
        where=stmt.excluded.last_at >= Author.last_at,
    )
    session.connection().execute(stmt, rows)


def cursor(session: Session, name: str) -> int:
    """A job's stored position (0 before its first run)."""
    return session.scalar(select(MonitorCursor.position).where(MonitorCursor.name == name)) or 0


def set_cursor(session: Session, name: str, position: int) -> None:
    """Store a job's position."""
    stmt = _insert(session)(MonitorCursor).values(name=name, position=position)
    session.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"position": position}))
