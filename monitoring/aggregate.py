"""Keep monitoring's aggregates up to date from the stored events, reading each event once.

`update` reads the events stored since its cursor (by `seq`, in chunks) and adds their
contributions to the daily listening figures, the authors' daily features, the
who-shares-whom edges and fans' interests. A `retract` (un-retweet, deleted post)
subtracts what the undone event added, so deleted posts leave every figure. Old rows
are never re-read: an update costs what the new events cost.

Only events about the brand count: those that matched at least one campaign's content
(`events.campaigns` not empty), so a fan's posts about anything else are never used.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.events import loads
from monitoring.terms import hashtags, topics
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

TEXT_TYPES = frozenset({"mention", "reply", "quote", "comment"})
SHARE_TYPES = frozenset({"retweet", "share", "quote", "reply", "comment"})
REACH_TYPES = frozenset({"retweet", "share", "quote"})
METRICS = ("like_count", "retweet_count", "reply_count", "quote_count")
CURSOR = "aggregate"
CHUNK = 20_000
# The columns an update reads, as the driver returns them: SQLite hands over JSON and
# datetimes as text, decoded here once without the ORM's per-value processing
# (PostgreSQL's driver decodes them itself). `EventRow` is the decoded row.
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


class EventRow(NamedTuple):
    """The fields of a stored event the aggregates use.

    A named tuple rather than a frozen dataclass: one is built per stored event, and a
    frozen dataclass's __init__ costs several times a tuple's.
    """

    seq: int
    type: str
    at: datetime
    fan_id: str | None
    profile_key: str | None
    sentiment_label: str | None
    campaigns: list[str]
    payload: Mapping[str, Any]


def _decoded(value: Any) -> Any:
    # engine.events.loads: json's results, parsed by orjson where that gives the same
    return loads(value) if isinstance(value, str) else value


def _utc(value: Any) -> datetime:
    """A stored `at` as an aware UTC datetime (SQLite keeps it as naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def event_row(raw: Any) -> EventRow:
    """A driver row of `COLUMNS` decoded."""
    return EventRow(
        raw.seq,
        raw.type,
        _utc(raw.at),
        raw.fan_id,
        raw.profile_key,
        raw.sentiment_label,
        _decoded(raw.campaigns) or [],
        _decoded(raw.payload) or {},
    )


@dataclass
class Delta:
    """What a batch of events adds (or, retracted, subtracts) to every aggregate."""

    days: Counter[tuple[str, date, str]] = field(default_factory=Counter)
    terms: Counter[tuple[str, date, str, str]] = field(default_factory=Counter)
    author_days: Counter[tuple[str, date, str]] = field(default_factory=Counter)
    edges: Counter[tuple[str, str]] = field(default_factory=Counter)
    interests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    authors: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpdateReport:
    """What one update read."""

    events: int
    retracted: int
    cursor: int


def author_key(platform: str, handle: str | None, actor_id: str | None) -> str:
    """`platform:handle` (lowercase), the name posts are attributed by; the actor id without one."""
    return f"{platform}:{(handle or actor_id or '?').lower()}"


def update(session: Session, tz: tzinfo, *, chunk: int = CHUNK) -> UpdateReport:
    """Fold every event stored since the last update into the aggregates (one transaction).

    Updates take turns (a lock held to the end of the caller's transaction): two at once
    would read the same cursor and count the same events twice.
    """
    take_lock(session, MONITORING_LOCK_ID)
    start = cursor(session, CURSOR)
    position, events, retracted = start, 0, 0
    delta = Delta()  # summed over all chunks: each aggregate row is written once per update
    while True:
        rows = session.execute(
            select(*COLUMNS).where(StoredEvent.seq > position).order_by(StoredEvent.seq).limit(chunk)
        ).all()
        if not rows:
            break
        undone = []
        for raw in rows:
            if raw.type == "retract":
                undone.append((_decoded(raw.payload).get("attrs") or {}).get("retracts"))
            elif raw.retracted_by is None and raw.campaigns and raw.campaigns != "[]":
                add_event(delta, event_row(raw), tz, +1)
        retracted += _subtract(session, delta, [u for u in undone if u], start, tz)
        events += len(rows)
        position = rows[-1].seq
    flush(session, delta)
    set_cursor(session, CURSOR, position)
    return UpdateReport(events, retracted, position)


def _subtract(session: Session, delta: Delta, ids: list[str], start: int, tz: tzinfo) -> int:
    """Take back what undone events added, if an earlier update counted them."""
    count = 0
    for part in chunks(ids):
        for raw in session.execute(select(*COLUMNS).where(StoredEvent.id.in_(part))):
            if raw.seq <= start and raw.type != "retract":
                add_event(delta, event_row(raw), tz, -1)
                count += 1
    return count


def add_event(delta: Delta, row: EventRow, tz: tzinfo, sign: int) -> None:
    """One stored event's contributions, times `sign` (+1 counted, -1 taken back)."""
    if not row.campaigns:
        return
    payload: Mapping[str, Any] = row.payload
    platform = payload.get("platform", "")
    actor = payload.get("actor") or {}
    post = payload.get("post") or {}
    day = row.at.astimezone(tz).date()
    author = author_key(platform, actor.get("handle"), actor.get("id")) if actor else None
    if row.type in TEXT_TYPES and author:
        _text_event(delta, row, payload, day, author, sign)
        if sign > 0:
            _remember_author(delta, author, actor, row)
    target = post.get("author")
    if target and author and row.type in SHARE_TYPES | {"like"}:
        _shared(delta, row.type, author_key(platform, target, None), author, actor, day, sign)


def _text_event(
    delta: Delta, row: Any, payload: Mapping[str, Any], day: date, author: str, sign: int
) -> None:
    label = row.sentiment_label or "neutral"
    tags = hashtags(payload.get("hashtags") or ())
    subjects = topics(payload.get("text"))
    days, terms = delta.days, delta.terms  # a million events pass here: look them up once
    for campaign in ("", *row.campaigns):
        days[(campaign, day, "mentions")] += sign
        days[(campaign, day, label)] += sign
        terms[(campaign, day, "author", author)] += sign
        for tag in tags:
            terms[(campaign, day, "hashtag", tag)] += sign
        for topic in subjects:
            terms[(campaign, day, "topic", topic)] += sign
    author_days = delta.author_days
    author_days[(author, day, "posts")] += sign
    if label != "neutral":
        author_days[(author, day, label)] += sign
    engagement = _engagement((payload.get("attrs") or {}).get("public_metrics"))
    if engagement:
        author_days[(author, day, "engagement")] += sign * engagement
    fan = row.fan_id or row.profile_key
    if fan:
        for tag in tags:
            delta.interests[(fan, "hashtag", tag)] += sign
        for topic in subjects:
            delta.interests[(fan, "topic", topic)] += sign


def _engagement(metrics: Mapping[str, Any] | None) -> int:
    """Retweets, replies and likes a post got (whole numbers only; anything else counts 0)."""
    total = 0
    if metrics:
        for name in METRICS:
            value = metrics.get(name)
            if isinstance(value, int):
                total += int(value)
    return total


def _shared(
    delta: Delta, kind: str, target: str, author: str, actor: Mapping[str, Any], day: date, sign: int
) -> None:
    """`author` acted on `target`'s post: an edge, and engagement or reach for the target."""
    if target == author:
        return
    delta.author_days[(target, day, "engagement")] += sign
    if kind in SHARE_TYPES:
        delta.edges[(author, target)] += sign
    if kind in REACH_TYPES:
        delta.author_days[(target, day, "shares")] += sign
        delta.author_days[(target, day, "reach")] += sign * int(actor.get("followers") or 0)


def _remember_author(delta: Delta, author: str, actor: Mapping[str, Any], row: Any) -> None:
    known = delta.authors.get(author)
    if known is None or known["last_at"] <= row.at:
        delta.authors[author] = {
            "key": author,
            "handle": actor.get("handle"),
            "profile_key": row.profile_key,
            "followers": int(actor.get("followers") or 0),
            "last_at": row.at,
        }


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
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    if converting:
        rows = [_converted(row, converting) for row in rows]
    if compiled.positional:
        order = [names.index(n) for n in compiled.positiontup]  # type: ignore[union-attr]
        params: list[Any] = (
            rows if order == list(range(len(names))) else [[r[i] for i in order] for r in rows]
        )
    else:
        params = [dict(zip(names, row, strict=True)) for row in rows]
    connection.exec_driver_sql(str(compiled), params)


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
