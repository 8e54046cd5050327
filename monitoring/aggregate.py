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
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

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
from storage.state_store import aware, chunks

TEXT_TYPES = frozenset({"mention", "reply", "quote", "comment"})
SHARE_TYPES = frozenset({"retweet", "share", "quote", "reply", "comment"})
REACH_TYPES = frozenset({"retweet", "share", "quote"})
METRICS = ("like_count", "retweet_count", "reply_count", "quote_count")
CURSOR = "aggregate"
CHUNK = 20_000
COLUMNS = (
    StoredEvent.id,
    StoredEvent.seq,
    StoredEvent.type,
    StoredEvent.at,
    StoredEvent.fan_id,
    StoredEvent.profile_key,
    StoredEvent.sentiment_label,
    StoredEvent.campaigns,
    StoredEvent.retracted_by,
    StoredEvent.payload,
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
        for row in rows:
            if row.retracted_by is None and row.type != "retract":
                add_event(delta, row, tz, +1)
        undone = [r.payload.get("attrs", {}).get("retracts") for r in rows if r.type == "retract"]
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
        for row in session.execute(select(*COLUMNS).where(StoredEvent.id.in_(part))):
            if row.seq <= start and row.type != "retract":
                add_event(delta, row, tz, -1)
                count += 1
    return count


def add_event(delta: Delta, row: Any, tz: tzinfo, sign: int) -> None:
    """One stored event's contributions, times `sign` (+1 counted, -1 taken back)."""
    if not row.campaigns:
        return
    payload: Mapping[str, Any] = row.payload
    platform = payload.get("platform", "")
    actor = payload.get("actor") or {}
    post = payload.get("post") or {}
    day = aware(row.at).astimezone(tz).date()  # type: ignore[union-attr]
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
    for campaign in ("", *row.campaigns):
        delta.days[(campaign, day, "mentions")] += sign
        delta.days[(campaign, day, label)] += sign
        delta.terms[(campaign, day, "author", author)] += sign
        for tag in tags:
            delta.terms[(campaign, day, "hashtag", tag)] += sign
        for topic in subjects:
            delta.terms[(campaign, day, "topic", topic)] += sign
    delta.author_days[(author, day, "posts")] += sign
    if label != "neutral":
        delta.author_days[(author, day, label)] += sign
    metrics = (payload.get("attrs") or {}).get("public_metrics") or {}
    engagement = sum(int(metrics.get(m) or 0) for m in METRICS if isinstance(metrics.get(m), int))
    if engagement:
        delta.author_days[(author, day, "engagement")] += sign * engagement
    fan = row.fan_id or row.profile_key
    if fan:
        for tag in tags:
            delta.interests[(fan, "hashtag", tag)] += sign
        for topic in subjects:
            delta.interests[(fan, "topic", topic)] += sign


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
    if known is None or known["last_at"] <= aware(row.at):
        delta.authors[author] = {
            "key": author,
            "handle": actor.get("handle"),
            "profile_key": row.profile_key,
            "followers": int(actor.get("followers") or 0),
            "last_at": aware(row.at),
        }


# -- writing ------------------------------------------------------------------------------


def flush(session: Session, delta: Delta) -> None:
    """Add a delta to the tables (insert new keys, add to existing counts)."""
    days = _pivot(delta.days, ("mentions", "positive", "neutral", "negative"))
    add_counts(session, ListeningDay, [{"campaign": c, "day": d, **v} for (c, d), v in days.items()])
    add_counts(
        session,
        ListeningTerm,
        [
            {"campaign": c, "day": d, "kind": k, "term": t[:200], "count": n}
            for (c, d, k, t), n in delta.terms.items()
            if n
        ],
    )
    fields = ("posts", "positive", "negative", "engagement", "shares", "reach")
    author_days = _pivot(delta.author_days, fields)
    add_counts(session, AuthorDay, [{"author": a, "day": d, **v} for (a, d), v in author_days.items()])
    add_counts(
        session, ShareEdge, [{"source": s, "target": t, "count": n} for (s, t), n in delta.edges.items() if n]
    )
    add_counts(
        session,
        FanInterest,
        [
            {"fan_id": f, "kind": k, "term": t[:200], "count": n}
            for (f, k, t), n in delta.interests.items()
            if n
        ],
    )
    _upsert_authors(session, list(delta.authors.values()))


def _pivot(counter: Counter[Any], names: Iterable[str]) -> dict[tuple[Any, Any], dict[str, int]]:
    rows: dict[tuple[Any, Any], dict[str, int]] = defaultdict(lambda: dict.fromkeys(names, 0))
    for (*key, name), value in counter.items():
        rows[tuple(key)][name] += value  # type: ignore[index]
    return {k: v for k, v in rows.items() if any(v.values())}


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def add_counts(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    """Insert rows; where the primary key exists, add their counts to the stored ones."""
    if not rows:
        return
    keys = [c.name for c in model.__table__.primary_key.columns]  # type: ignore[attr-defined]
    counts = [name for name in rows[0] if name not in keys]
    stmt = _insert(session)(model)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={c: getattr(model, c) + getattr(stmt.excluded, c) for c in counts},
    )
    session.connection().execute(stmt, rows)  # one statement, executemany


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
