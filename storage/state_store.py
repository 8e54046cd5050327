"""The database store of engine state: load the slice a batch touches, write back its changes.

The engine never queries the database itself. Before a batch, `load_state` reads every
row the batch's events can touch (their ids, the profiles and fans involved, the
events they retract) into an `EngineState`; after it, `flush_state` writes what the
engine marked dirty. Both run inside the caller's transaction, so a batch lands
whole or not at all, and replaying it adds nothing (unique event ids, unique
ledger keys).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.events import Event
from engine.plan import Plan
from engine.rules.model import CampaignSet
from engine.state import Accepted, EngineState, Entry, FanState, Grant, Link, Score
from monitoring.labels import label_for
from storage import bulk, sequence
from storage.batch_keys import batch_keys
from storage.models.core import (
    BadgeGrant,
    BadgeProgress,
    BoardScore,
    CapCounter,
    ChallengeSolver,
    ClosedPeriod,
    Fan,
    FanCampaign,
    LedgerEntry,
    LinkedProfile,
    StoredEvent,
)
from storage.pg_arrays import array_text

CHUNK = 500  # bound parameters per IN (...) query, well under SQLite's limit
# psycopg prepares a statement on the server once a connection has run it five times, and
# PostgreSQL then keeps the plan it made for the tables as they were (a prepared plan is
# made again only when statistics change, at most each time a table doubles). Planned
# while the tables were nearly empty, the loads went on scanning them as they grew: 70 µs
# of server time per key at 100,000 events, against 3 µs planned each time. Planning a
# batch's few load queries costs well under a millisecond.
UNPREPARED = {"prepare": False}
ARRAY_CHUNK = 5_000  # values per `= ANY(array)` query on PostgreSQL


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    """Split a collection into lists of at most `size`."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_where_in(
    session: Session, model: type, column: str, values: Iterable[Any], **equal: Any
) -> Iterable[Any]:
    """Core rows of `model` whose `column` is one of `values` (and whose `equal` columns have
    those values), queried in chunks.

    Core rows, not ORM objects: a batch loads hundreds of thousands of rows and building
    mapped instances for them costs more than the rest of the batch. One expanding
    parameter, not a literal per value: building hundreds of bound parameters per query
    cost more than SQLite's lookups.
    """
    table = model.__table__  # type: ignore[attr-defined]
    query = select(table).where(
        table.c[column].in_(bindparam("values", expanding=True)),
        *(table.c[name] == bindparam(f"equal_{name}") for name in equal),
    )
    fixed = {f"equal_{name}": value for name, value in equal.items()}
    for part in chunks(values):
        yield from session.execute(query, {"values": part, **fixed}).all()


def columns_where_in(
    session: Session, table: Table, columns: Sequence[str], column: str, values: Iterable[Any], **equal: Any
) -> Iterator[tuple[Any, ...]]:
    """Tuples of `columns` of `table` whose `column` is one of `values` (and whose `equal`
    columns have those values), queried in chunks on the driver's own cursor.

    For the loads of every batch (hundreds of thousands of rows): `rows_where_in` spent more
    on compiling statements and building result rows than SQLite on finding them. Values
    are converted with the columns' own result processors, a column at a time, so they
    are what SQLAlchemy would have returned.
    """
    connection = session.connection()
    dialect = connection.dialect
    processors = _result_processors(dialect, table, tuple(columns))
    fixed = tuple(equal.values())
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    # PostgreSQL takes the values as one array (`= ANY(%s)`, its text written by
    # `array_text`): a statement with hundreds of placeholders is too long for psycopg's
    # cache of converted queries, and converting it again for every chunk cost more than
    # the server's lookups. Planned for each batch (`UNPREPARED`).
    array = dialect.name == "postgresql"
    execute = partial(cursor.execute, **UNPREPARED) if array else cursor.execute
    try:
        for part in chunks(values, ARRAY_CHUNK if array else CHUNK):
            execute(
                _where_in_sql(
                    dialect, table, tuple(columns), column, tuple(equal), 0 if array else len(part)
                ),
                (array_text(part), *fixed) if array else (*part, *fixed),
            )
            yield from _converted(cursor.fetchall(), processors)
    finally:
        cursor.close()


def columns_by_keys(
    session: Session,
    table: Table,
    columns: Sequence[str],
    key_columns: Sequence[str],
    keys: Mapping[tuple[Any, ...], Iterable[Any]],
) -> Iterator[tuple[Any, ...]]:
    """Tuples of `columns` of `table`'s rows whose `key_columns` (its primary key) equal a key
    of `keys`: a prefix (all key columns but the last) mapped to the values of the last,
    say (board, period) -> fans.

    On PostgreSQL, one statement looks up every key, sent as arrays. One query
    per prefix (`columns_where_in`) made the server test each row of a whole board period
    against the batch's list of fans, a list too long to hash in a prepared plan: 20 µs of
    server time per score loaded, a quarter of all it spent on a batch. SQLite looks each
    prefix's values up by its primary key and takes the queries one by one.
    """
    connection = session.connection()
    dialect = connection.dialect
    *prefix_columns, last = key_columns
    if dialect.name != "postgresql":
        for prefix, values in keys.items():
            equal = dict(zip(prefix_columns, prefix, strict=True))
            yield from columns_where_in(session, table, columns, last, values, **equal)
        return
    flat = ((*prefix, value) for prefix, values in keys.items() for value in values)
    processors = _result_processors(dialect, table, tuple(columns))
    sql = _join_keys_sql(dialect, table, tuple(columns), tuple(key_columns))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for part in chunks(flat, ARRAY_CHUNK * 4):
            cursor.execute(sql, [array_text(column) for column in zip(*part, strict=True)], **UNPREPARED)
            yield from _converted(cursor.fetchall(), processors)
    finally:
        cursor.close()


def _converted(rows: list[Any], processors: tuple[tuple[int, Callable[[Any], Any]], ...]) -> Iterable[Any]:
    """`rows` with each column converted by its result processor, a column at a time."""
    if not rows or not processors:
        return rows
    converted: list[Any] = list(zip(*rows, strict=True))
    for index, process in processors:
        converted[index] = map(process, converted[index])
    return zip(*converted, strict=True)


@lru_cache(maxsize=64)
def _join_keys_sql(
    dialect: Dialect, table: Table, columns: tuple[str, ...], key_columns: tuple[str, ...]
) -> str:
    # A lookup per key through the primary key, whatever the planner guesses of the arrays'
    # length (a prepared plan cannot see it): as a plain join, it hashed or scanned the
    # whole table for each batch, which cost ten times the lookups. LIMIT 1 keeps the
    # subquery from being merged into a join, and a whole key matches one row at most.
    quote = dialect.identifier_preparer.quote
    arrays = ", ".join(f"CAST(%s AS {table.c[name].type.compile(dialect=dialect)}[])" for name in key_columns)
    names = ", ".join(f"k{index}" for index in range(len(key_columns)))
    match = " AND ".join(f"t.{quote(name)} = k.k{index}" for index, name in enumerate(key_columns))
    return (
        f"SELECT s.* FROM unnest({arrays}) AS k({names}) CROSS JOIN LATERAL "
        f"(SELECT {', '.join(f't.{quote(name)}' for name in columns)} FROM {quote(table.name)} AS t "
        f"WHERE {match} LIMIT 1) AS s"
    )


@lru_cache(maxsize=1024)
def _where_in_sql(
    dialect: Dialect, table: Table, columns: tuple[str, ...], column: str, equal: tuple[str, ...], count: int
) -> str:
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    where = [
        f"{quote(column)} IN ({', '.join([mark] * count)})"
        if count
        else f"{quote(column)} = ANY(CAST({mark} AS {table.c[column].type.compile(dialect=dialect)}[]))",
        *(f"{quote(name)} = {mark}" for name in equal),
    ]
    return f"SELECT {', '.join(map(quote, columns))} FROM {quote(table.name)} WHERE {' AND '.join(where)}"


@lru_cache(maxsize=256)
def _result_processors(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    found = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            found.append((index, process))
    return tuple(found)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def iso(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 text with its UTC offset, as exports give times."""
    return None if value is None else aware(value).isoformat()  # type: ignore[union-attr]


# -- loading -----------------------------------------------------------------------------


Lock = Callable[[set[str]], None]


def load_state(
    session: Session, events: Sequence[Event], campaigns: CampaignSet, lock: Lock | None = None
) -> EngineState:
    """An `EngineState` holding every row these events can read or change under `campaigns`.

    Per fan, the rows that do not grow with time (totals, campaigns, badges earned);
    of the rows kept per period or per badge, only the keys the events can touch
    (`storage.batch_keys`), so a batch reads as much on the campaign's last day as on its first.
    `lock` is called with every fan the events can touch before their rows are read, so
    that a concurrent batch of another worker cannot change them in between. Numbers in
    processing order start provisional (storage/sequence.py); `flush_state` makes them real.
    """
    state = EngineState()
    state.seq = sequence.PROVISIONAL
    ids = {e.id for e in events}
    targets = {e.retracts for e in events if e.retracts}
    profiles = {e.profile_key for e in events if e.profile_key}
    profiles |= {str(e.attrs["profile"]) for e in events if e.type == "profile_linked"}
    if targets:  # whose events are retracted: their fans are touched too
        scout = EngineState()
        _load_accepted(session, scout, targets)
        profiles |= {a.profile for a in scout.accepted.values() if a.profile}  # a retracted link unlinks
    _load_links(session, state, profiles)
    fans = {e.fan for e in events if e.fan} | profiles
    fans |= {link.fan for links in state.links.values() for link in links}
    if targets:
        fans |= {a.fan for a in scout.accepted.values()}
    if lock is not None:
        lock(fans)
        # A batch of the same profiles that committed meanwhile may have linked them.
        state.links.clear()
        _load_links(session, state, profiles)
        more = {link.fan for links in state.links.values() for link in links} - fans
        if more:  # rare; out of order, so a circular wait is possible and then retried
            lock(more)
            fans |= more
    # Read after locking: a batch of the same fans that committed meanwhile is seen whole.
    state.seen = _existing_ids(session, ids | targets)
    _load_accepted(session, state, targets & state.seen)
    _load_fans(session, state, fans)
    fresh = [e for e in events if e.id not in state.seen]  # the rest are duplicates: they touch nothing
    keys = batch_keys(Plan(campaigns), fresh, state.links, state.accepted)
    _load_caps(session, state, keys.caps)
    _load_progress(session, state, keys.progress)
    _load_scores(session, state, keys.scores)
    _load_solvers(session, state, keys.challenges)
    return state


def _existing_ids(session: Session, ids: set[str]) -> set[str]:
    return {row[0] for row in columns_where_in(session, StoredEvent.__table__, ("id",), "id", ids)}


def _load_links(session: Session, state: EngineState, profiles: set[str]) -> None:
    columns = ("profile_key", "fan_id", "linked_at", "link_event_id", "unlinked_at")
    for profile, fan, linked_at, event_id, unlinked_at in columns_where_in(
        session, LinkedProfile.__table__, columns, "profile_key", profiles
    ):
        link = Link(fan, aware(linked_at), event_id, aware(unlinked_at))  # type: ignore[arg-type]
        state.links.setdefault(profile, []).append(link)
    for links in state.links.values():
        links.sort(key=lambda link: link.at)


def _load_accepted(session: Session, state: EngineState, ids: set[str]) -> None:
    for row in rows_where_in(session, StoredEvent, "id", ids):
        profile = row.payload.get("attrs", {}).get("profile") if row.type == "profile_linked" else None
        state.accepted[row.id] = Accepted(
            row.id,
            row.type,
            aware(row.at),  # type: ignore[arg-type]
            row.fan_id or "",
            tuple(row.campaigns),
            (),
            row.retracted_by,
            profile,
        )
    entries = sorted(rows_where_in(session, LedgerEntry, "event_id", ids), key=lambda row: row.seq)
    for row in entries:
        if row.reverses is None and row.event_id in state.accepted:
            record = state.accepted[row.event_id]
            record.entries = (*record.entries, _entry(row))


def _entry(row: Any) -> Entry:
    return Entry(
        row.seq,
        row.event_id,
        row.fan_id,
        row.campaign_id,
        row.source,
        row.points,
        aware(row.at),  # type: ignore[arg-type]
        row.note,
        row.cap_key,
        row.reverses,
    )


def _load_fans(session: Session, state: EngineState, fans: set[str]) -> None:
    """Totals, campaign points and badges earned: a few rows per fan, however long it has been active."""
    columns = ("id", "lifetime_points", "spent_points", "level", "level_at")
    for fan_id, lifetime, spent, level, level_at in columns_where_in(
        session, Fan.__table__, columns, "id", fans
    ):
        state.fans[fan_id] = FanState(lifetime, spent, level, aware(level_at))
    columns = ("fan_id", "campaign_id", "points")
    for fan_id, campaign_id, points in columns_where_in(
        session, FanCampaign.__table__, columns, "fan_id", fans
    ):
        state.fans[fan_id].campaigns[campaign_id] = points
    columns = ("fan_id", "campaign_id", "badge_id", "earned_at", "event_id", "period", "seq")
    for fan_id, campaign_id, badge_id, earned_at, event_id, period, seq in columns_where_in(
        session, BadgeGrant.__table__, columns, "fan_id", fans
    ):
        value = Grant(badge_id, aware(earned_at), event_id, period, seq)  # type: ignore[arg-type]
        state.grants.setdefault((fan_id, campaign_id), {})[badge_id] = value


def _load_caps(session: Session, state: EngineState, keys: set[str]) -> None:
    """Cap counters by exact key (campaign/rule/fan/period): the periods of this batch only."""
    columns = ("key", "count", "points")
    for key, count, points in columns_where_in(session, CapCounter.__table__, columns, "key", keys):
        state.caps[key] = [count, points]


def _load_progress(session: Session, state: EngineState, keys: dict[tuple[str, str], set[str]]) -> None:
    """Badge progress of the (campaign, badge) pairs the batch advances or unwinds, per fan."""
    table, key_columns = BadgeProgress.__table__, ("campaign_id", "badge_id", "fan_id")
    for campaign_id, badge_id, fan_id, progress in columns_by_keys(
        session, table, (*key_columns, "state"), key_columns, keys
    ):
        state.progress[(fan_id, campaign_id, badge_id)] = dict(progress)


def _load_scores(session: Session, state: EngineState, keys: dict[tuple[str, str], set[str]]) -> None:
    """Board scores of the board periods the batch posts to, for its fans (primary key lookups)."""
    table, key_columns = BoardScore.__table__, ("board", "period", "fan_id")
    columns = (*key_columns, "points", "last_at", "last_event")
    for board, period, fan_id, points, last_at, last_event in columns_by_keys(
        session, table, columns, key_columns, keys
    ):
        scores = state.scores.get((board, period))
        if scores is None:
            scores = state.scores[(board, period)] = {}
        scores[fan_id] = Score(points, aware(last_at), last_event)  # type: ignore[arg-type]


def _load_solvers(session: Session, state: EngineState, challenges: set[tuple[str, str]]) -> None:
    """Every solver of each challenge answered in the batch: the winners limit counts them all."""
    table = ChallengeSolver.__table__
    for campaign_id, challenge_id in challenges:
        query = select(table).where(table.c.campaign_id == campaign_id, table.c.challenge_id == challenge_id)
        for row in session.execute(query).all():
            state.solvers.setdefault((campaign_id, challenge_id), {})[row.fan_id] = row.event_id


def load_boards(session: Session, state: EngineState, boards: Iterable[str]) -> None:
    """The scores of every period not judged yet, the judged periods, and the rank badges held.

    Judged periods are skipped: closing runs after every ingest, and reading whole boards
    each time would grow with the campaign's history instead of with what is open.
    """
    scores, closed = BoardScore.__table__, ClosedPeriod.__table__
    grants = BadgeGrant.__table__
    for board in boards:
        done = set(session.scalars(select(closed.c.period).where(closed.c.board == board)))
        state.closed.update((board, period) for period in done)
        query = select(scores).where(scores.c.board == board)
        if done:
            query = query.where(scores.c.period.not_in(done))
        for score in session.execute(query).all():
            value = Score(score.points, aware(score.last_at), score.last_event)  # type: ignore[arg-type]
            state.scores.setdefault((board, score.period), {})[score.fan_id] = value
        held = select(grants).where(
            grants.c.campaign_id == board.partition("/")[0], grants.c.event_id.is_(None)
        )
        for grant in session.execute(held).all():
            value = Grant(grant.badge_id, aware(grant.earned_at), grant.event_id, grant.period, grant.seq)  # type: ignore[arg-type]
            state.grants.setdefault((grant.fan_id, grant.campaign_id), {})[grant.badge_id] = value


# -- writing -----------------------------------------------------------------------------


def upsert(
    session: Session,
    model: type,
    rows: list[dict[str, Any]],
    keys: Sequence[str],
    update_cols: Sequence[str] | None = None,
) -> None:
    """Insert rows, or update the given columns where the key exists (nothing when None)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model.__table__)  # type: ignore[attr-defined]  # Core: no ORM bulk bookkeeping
    if update_cols:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: getattr(stmt.excluded, c) for c in update_cols}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt, rows)


def flush_state(session: Session, state: EngineState, events: dict[str, Event], now: datetime) -> None:
    """Write everything the engine changed, in dependency order, with real `seq` numbers.

    Rows without numbers go first: taking the numbers locks the counter until commit
    (storage/sequence.py), and other workers' batches wait for it, so it is taken late.
    """
    dirty = state.dirty
    _write_fans(session, state, events, now)
    bulk.write(
        session,
        FanCampaign.__table__,
        ("fan_id", "campaign_id", "points"),
        [(f, c, state.fans[f].campaigns[c]) for f, c in dirty.fan_campaigns],
        ("fan_id", "campaign_id"),
        ("points",),
    )
    write_links(session, dirty.links)
    caps = [(k, "/".join(k.split("/")[2:-1]), *state.caps[k]) for k in dirty.caps]
    bulk.write(
        session,
        CapCounter.__table__,
        ("key", "fan_id", "count", "points"),
        caps,
        ("key",),
        ("count", "points"),
    )
    _write_progress(session, state)
    upsert(
        session,
        ChallengeSolver,
        [
            {"campaign_id": c, "challenge_id": ch, "fan_id": f, "event_id": e, "at": at}
            for c, ch, f, e, at in dirty.solvers
        ],
        ("campaign_id", "challenge_id", "fan_id"),
    )
    upsert(session, ClosedPeriod, [{"board": b, "period": p} for b, p in dirty.closed], ("board", "period"))
    _number(session, state)
    _write_events(session, state, events, now)
    bulk.write(session, LedgerEntry.__table__, LEDGER_COLUMNS, [_ledger_row(e) for e in state.ledger])
    _write_grants(session, state)
    _write_scores(session, state)


def _number(session: Session, state: EngineState) -> None:
    """Swap the batch's provisional numbers for real ones, taken now so that they follow
    every number committed before (the counter stays locked until this batch commits)."""
    base = sequence.allocate(session, max(0, state.seq - sequence.PROVISIONAL))
    real = sequence.real
    for entry in state.ledger:
        entry.seq = real(entry.seq, base)  # type: ignore[assignment]
        entry.reverses = real(entry.reverses, base)
    for record in state.dirty.accepted:
        record.seq = real(record.seq, base)  # type: ignore[assignment]
    for _, _, grant in state.dirty.grants:
        grant.seq = real(grant.seq, base)  # type: ignore[assignment]
    state.seq = real(state.seq, base) if state.seq > sequence.PROVISIONAL else base  # type: ignore[assignment]


def _write_fans(session: Session, state: EngineState, events: dict[str, Event], now: datetime) -> None:
    """Upsert changed fans; a profile standing for a fan is named by its handle."""
    handles = {e.profile_key: f"@{e.actor.handle}" for e in events.values() if e.actor and e.actor.handle}
    profiles = {e.profile_key for e in events.values() if e.profile_key}
    rows = []
    for fan_id in state.dirty.fans:
        fan = state.fans[fan_id]
        kind = "profile" if fan_id in profiles else "account"
        rows.append((fan_id, kind, handles.get(fan_id), fan.points, fan.level, fan.level_at, now))
    # spent_points is never written here: redemptions change it atomically, concurrently
    # with ingestion, and the value loaded at batch start would overwrite theirs.
    bulk.write(
        session,
        Fan.__table__,
        ("id", "kind", "display_name", "lifetime_points", "level", "level_at", "created_at"),
        rows,
        ("id",),
        ("lifetime_points", "level", "level_at"),
    )


def write_links(session: Session, links: Iterable[tuple[str, Link]]) -> None:
    """Store links; an unlinking time once stored stays (the first retraction counts, and a
    worker replaying a link the inbox's router already unlinked must not link it again)."""
    rows = {
        link.event_id: {
            "profile_key": profile,
            "fan_id": link.fan,
            "linked_at": link.at,
            "unlinked_at": link.until,
            "link_event_id": link.event_id,
        }
        for profile, link in links  # the last state of each link wins
    }
    if not rows:
        return
    table = LinkedProfile.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["link_event_id"],
        set_={"unlinked_at": func.coalesce(table.c.unlinked_at, stmt.excluded.unlinked_at)},
    )
    session.execute(stmt, list(rows.values()))


EVENT_COLUMNS = (
    "id",
    "seq",
    "platform",
    "type",
    "at",
    "fan_id",
    "profile_key",
    "sentiment",
    "sentiment_label",
    "campaigns",
    "retracted_by",
    "payload",
    "received_at",
)


def _write_events(session: Session, state: EngineState, events: dict[str, Event], now: datetime) -> None:
    rows = []
    for record in state.dirty.accepted:
        event = events[record.id]
        rows.append(
            (
                record.id,
                record.seq,
                event.platform,
                event.type,
                event.at,
                record.fan or None,  # None: an unlinked profile, stored for listening only
                event.profile_key,
                event.sentiment,
                None if event.sentiment is None else label_for(event.sentiment),
                list(record.campaigns),
                record.retracted_by,
                event.to_dict(),
                now,
            )
        )
    bulk.write(session, StoredEvent.__table__, EVENT_COLUMNS, rows)
    if state.dirty.retracted:
        table = StoredEvent.__table__
        session.execute(
            update(table).where(table.c.id == bindparam("target")).values(retracted_by=bindparam("by")),
            [{"target": r.id, "by": r.retracted_by} for r in state.dirty.retracted],
        )


LEDGER_COLUMNS = (
    "seq",
    "key",
    "event_id",
    "fan_id",
    "campaign_id",
    "source",
    "points",
    "at",
    "note",
    "cap_key",
    "reverses",
)


def _ledger_row(entry: Entry) -> tuple[Any, ...]:
    return (
        entry.seq,
        entry.key,
        entry.event_id,
        entry.fan,
        entry.campaign,
        entry.source,
        entry.points,
        entry.at,
        entry.note,
        entry.cap_key,
        entry.reverses,
    )


def _write_progress(session: Session, state: EngineState) -> None:
    keep = [k for k in state.dirty.progress if k in state.progress]
    gone = [k for k in state.dirty.progress if k not in state.progress]
    rows = [(*k, state.progress[k]) for k in keep]
    bulk.write(
        session,
        BadgeProgress.__table__,
        ("fan_id", "campaign_id", "badge_id", "state"),
        rows,
        ("fan_id", "campaign_id", "badge_id"),
        ("state",),
    )
    bulk.delete(session, BadgeProgress.__table__, ("fan_id", "campaign_id", "badge_id"), gone)


def _write_grants(session: Session, state: EngineState) -> None:
    rows = [(f, c, g.badge, g.at, g.event_id, g.period, g.seq) for f, c, g in state.dirty.grants]
    bulk.write(
        session,
        BadgeGrant.__table__,
        ("fan_id", "campaign_id", "badge_id", "earned_at", "event_id", "period", "seq"),
        rows,
        ("fan_id", "campaign_id", "badge_id"),
    )


def _write_scores(session: Session, state: EngineState) -> None:
    rows = []
    for board, period, fan in state.dirty.scores:
        score = state.scores[(board, period)][fan]
        # seq: read models pick up changed rows by this watermark
        rows.append((board, period, fan, score.points, score.last_at, score.last_event, state.seq))
    bulk.write(
        session,
        BoardScore.__table__,
        ("board", "period", "fan_id", "points", "last_at", "last_event", "seq"),
        rows,
        ("board", "period", "fan_id"),
        ("points", "last_at", "last_event", "seq"),
    )
