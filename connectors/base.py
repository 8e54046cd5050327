"""The connector interface: a `Source` polls one thing and yields `Batch`es of events.

A platform module provides sources (X mentions, one brand post's reposters, a
Facebook post's comments...). Each batch carries the events of one page and the
checkpoint (`cursor`) that is true once those events are stored; the poller
stores both in one transaction, so a crash between pages resumes at the last
stored page and a replayed page awards nothing twice (event ids are stable).
Adding a platform is adding a module with sources and registering it in
`connectors.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

Cursor = Mapping[str, Any]  # JSON-serialisable checkpoint, owned by the source that wrote it
EventDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Cost:
    """What a page cost in the platform's billing units (X bills each post and user read)."""

    posts: int = 0
    users: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.posts + other.posts, self.users + other.users)


@dataclass(frozen=True, slots=True)
class Batch:
    """One page of a poll: events, the checkpoint that covers them, what it cost and saw."""

    events: tuple[EventDict, ...]
    cursor: Cursor
    cost: Cost = Cost()
    fetched: int = 0  # raw items read, including the ones that made no event
    redact: tuple[str, ...] = ()  # stored events whose content was deleted on the platform
    notes: tuple[str, ...] = ()  # what this page showed the source cannot see


@dataclass(frozen=True, slots=True)
class StoredPost:
    """An event stored earlier whose platform content may since have been deleted."""

    event_id: str
    type: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PollContext:
    """What a poll may know besides its cursor: the clock and the events already stored."""

    now: datetime
    stored: Callable[[str, Sequence[str]], list[StoredPost]] = lambda platform, types: []


class Source(Protocol):
    """One thing to poll on its own schedule and checkpoint."""

    name: str  # "x:mentions", "x:retweets:2107108545131447506", "facebook:comments:..."
    platform: str
    endpoints: tuple[str, ...]  # rate-limit buckets it uses ("x.mentions")
    base: timedelta  # the shortest interval; the scheduler ticks at it, `interval` may say wait longer
    blind_spots: tuple[str, ...]  # what this source cannot see, shown by `connectors status`

    def interval(self, now: datetime, cursor: Cursor) -> timedelta:
        """How long to wait after a successful poll (older posts wait longer)."""
        ...

    def poll(self, cursor: Cursor, ctx: PollContext) -> Iterator[Batch]:
        """Fetch from the stored cursor on, one batch per page."""
        ...


def own_post_id(event_id: str, platform: str) -> str | None:
    """The platform's post id in an event id a connector made for a post (`x:quote:2107...`,
    `mastodon:reply:1153...`); None for an event from elsewhere (a file, an import), which
    names no post the platform could be asked about: a deletion sweep that looked it up
    would take it back as deleted."""
    parts = event_id.split(":")
    if len(parts) == 3 and parts[0] == platform and parts[2].isdigit():
        return parts[2]
    return None


def retract_event(platform: str, target_id: str, at: datetime, reason: str) -> EventDict:
    """A `retract` for a stored event that was undone or deleted on the platform (stable id)."""
    return {
        "id": f"{target_id}:retracted",
        "platform": platform,
        "type": "retract",
        "at": iso(at),
        "attrs": {"retracts": target_id, "reason": reason},
    }


def iso(at: datetime) -> str:
    """An aware time as ISO 8601 with `Z`."""
    return at.isoformat().replace("+00:00", "Z")


def age_interval(base: timedelta, created: datetime | None, now: datetime) -> timedelta:
    """Poll a post often while it is fresh and less as it ages: most activity comes early.

    Under a day old: `base`; under a week: 4x; under a month: 12x; older: 48x.
    """
    if created is None:
        return base
    age = now - created
    for limit, factor in ((timedelta(days=1), 1), (timedelta(days=7), 4), (timedelta(days=30), 12)):
        if age < limit:
            return base * factor
    return base * 48


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """Items seen now versus the stored snapshot: what is new and what disappeared."""

    new: tuple[str, ...] = field(default_factory=tuple)
    gone: tuple[str, ...] = field(default_factory=tuple)


def diff_snapshot(before: Sequence[str], now: Sequence[str]) -> SnapshotDiff:
    """Compare two lists of ids, keeping the order of `now` and `before`."""
    old, current = set(before), set(now)
    return SnapshotDiff(tuple(i for i in now if i not in old), tuple(i for i in before if i not in current))
