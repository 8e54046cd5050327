"""What one stored event adds to monitoring's aggregates, event by event.

`add_event` is the plain statement of every figure an event contributes (listening per
campaign and day, the author's daily features, who-shares-whom edges, fans' interests).
It takes back retracted events, and it is the reference the bulk path
(`monitoring.fold.Fold`) must equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, NamedTuple

from engine.events import loads
from monitoring.terms import hashtags, topics

TEXT_TYPES = frozenset({"mention", "reply", "quote", "comment"})
SHARE_TYPES = frozenset({"retweet", "share", "quote", "reply", "comment"})
REACH_TYPES = frozenset({"retweet", "share", "quote"})
ACTED_TYPES = SHARE_TYPES | {"like"}  # every act on someone else's post
METRICS = ("like_count", "retweet_count", "reply_count", "quote_count")


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


def decoded(value: Any) -> Any:
    """A stored JSON value: SQLite's driver returns text, PostgreSQL's the decoded value."""
    # engine.events.loads: json's results, parsed by orjson where that gives the same
    return loads(value) if isinstance(value, str) else value


def utc(value: Any) -> datetime:
    """A stored `at` as an aware UTC datetime (SQLite keeps it as naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def event_row(raw: Any) -> EventRow:
    """A driver row (seq, type, at, fan_id, profile_key, sentiment_label, campaigns,
    retracted_by, payload) decoded."""
    seq, kind, at, fan_id, profile_key, label, campaigns, _, payload = raw
    return EventRow(
        seq, kind, utc(at), fan_id, profile_key, label, decoded(campaigns) or [], decoded(payload) or {}
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


def author_key(platform: str, handle: str | None, actor_id: str | None) -> str:
    """`platform:handle` (lowercase), the name posts are attributed by; the actor id without one."""
    return f"{platform}:{(handle or actor_id or '?').lower()}"


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
            remember_author(delta.authors, author, actor, row.profile_key, row.at)
    target = post.get("author")
    if target and author and row.type in ACTED_TYPES:
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
    engagement = engagement_of((payload.get("attrs") or {}).get("public_metrics"))
    if engagement:
        delta.author_days[(author, day, "engagement")] += sign * engagement
    fan = row.fan_id or row.profile_key
    if fan:
        for tag in tags:
            delta.interests[(fan, "hashtag", tag)] += sign
        for topic in subjects:
            delta.interests[(fan, "topic", topic)] += sign


def engagement_of(metrics: Mapping[str, Any] | None) -> int:
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


def remember_author(
    authors: dict[str, dict[str, Any]],
    author: str,
    actor: Mapping[str, Any],
    profile_key: str | None,
    at: datetime,
) -> None:
    """The author as last seen: a post at the same time or later replaces what is known."""
    known = authors.get(author)
    if known is None or known["last_at"] <= at:
        authors[author] = {
            "key": author,
            "handle": actor.get("handle"),
            "profile_key": profile_key,
            "followers": int(actor.get("followers") or 0),
            "last_at": at,
        }
