"""What the engine remembers between events, as plain in-memory values.

One engine, two stores: `simulate` keeps a whole `EngineState` in memory; the
database store (engine/store_sql.py) loads into one just the slice a batch of
events touches and writes back what the batch changed, which `Dirty` records.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Entry:
    """One ledger line: an award, a refusal (0 points, with a note) or a reversal."""

    seq: int
    event_id: str
    fan: str
    campaign: str
    source: str  # "rule:<id>" or "challenge:<id>"
    points: int
    at: datetime
    note: str = ""
    cap_key: str | None = None  # set when this entry used a rule's cap
    reverses: int | None = None  # seq of the entry this one reverses

    @property
    def key(self) -> str:
        """Unique per event, campaign, source and direction: replays cannot add it twice."""
        return (
            f"{self.event_id}|{self.campaign}|{self.source}|{'rev' if self.reverses is not None else 'add'}"
        )

    def as_json(self) -> dict[str, Any]:
        """The entry as `simulate --ledger` prints it."""
        kind, _, name = self.source.partition(":")
        return {
            "event": self.event_id,
            "fan": self.fan,
            "campaign": self.campaign,
            kind: name,
            "points": self.points,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "note": self.note,
        }


@dataclass(slots=True)
class Link:
    """A profile linked to a fan from `at` until `until` (a retracted link)."""

    fan: str
    at: datetime
    event_id: str
    until: datetime | None = None


def linked_fan(links: Sequence[Link], at: datetime) -> str | None:
    """The fan of the latest of a profile's `links` in force at `at`, or None."""
    for link in reversed(links):
        if link.at <= at and (link.until is None or at < link.until):
            return link.fan
    return None


@dataclass(slots=True)
class Accepted:
    """What is kept of an accepted event so that a later `retract` can undo it."""

    id: str
    type: str
    at: datetime
    fan: str
    # The campaigns it counted in; for an event of no fan (listened to only), those whose
    # time and content it matched.
    campaigns: tuple[str, ...]
    entries: tuple[Entry, ...]  # only those a retract gives back (points, or a cap used)
    retracted_by: str | None = None
    profile: str | None = None  # the profile a `profile_linked` linked
    seq: int = 0  # processing order


@dataclass(slots=True)
class FanState:
    """A fan's running totals: lifetime points, spending, level, points per campaign."""

    points: int = 0
    spent: int = 0
    level: str | None = None
    level_at: datetime | None = None
    campaigns: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Score:
    """A fan's score on one board period and its last change (for listing ties)."""

    points: int
    last_at: datetime
    last_event: str


@dataclass(slots=True)
class Grant:
    """A badge earned: when, by which event, or for which board period."""

    badge: str
    at: datetime
    event_id: str | None
    period: str | None
    seq: int


@dataclass(slots=True)
class Dirty:
    """Keys changed since the last flush, so the database store writes only those."""

    fans: set[str] = field(default_factory=set)
    fan_campaigns: set[tuple[str, str]] = field(default_factory=set)
    caps: set[str] = field(default_factory=set)
    progress: set[tuple[str, str, str]] = field(default_factory=set)
    grants: list[tuple[str, str, Grant]] = field(default_factory=list)
    solvers: list[tuple[str, str, str, str, datetime]] = field(default_factory=list)
    scores: set[tuple[str, str, str]] = field(default_factory=set)
    links: list[tuple[str, Link]] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)
    retracted: list[Accepted] = field(default_factory=list)
    closed: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def discarding(cls) -> Dirty:
        """A `Dirty` that records nothing, for runs that never flush (simulate): tracking every
        key of a million-event run only to throw it away cost hundreds of MiB."""
        dirty = cls()
        for item in fields(cls):
            setattr(dirty, item.name, _DISCARD)
        return dirty


class _Discard:
    """Takes `add` and `append` like a set or list, and keeps nothing."""

    __slots__ = ()

    def add(self, _item: object) -> None:
        """Keep nothing."""

    def append(self, _item: object) -> None:
        """Keep nothing."""


_DISCARD: Any = _Discard()


class _NeverSeen(frozenset):  # type: ignore[type-arg]
    """A set of seen ids for an input without repeated ids: keeps nothing, contains nothing
    (an empty frozenset, whose `in` costs no Python call)."""

    __slots__ = ()

    def add(self, _item: object) -> None:
        """Keep nothing."""


_NEVER_SEEN: Any = _NeverSeen()


class EngineState:
    """Every piece of state the rules read and write, keyed for direct lookup."""

    def __init__(
        self,
        *,
        keep_ledger: bool = True,
        track_changes: bool = True,
        retract_targets: Container[str] | None = None,
        unique_ids: bool = False,
    ) -> None:
        """`track_changes=False` when nothing will be flushed; `retract_targets`, when the
        whole input is known in advance, names the only events a retract can undo, so the
        records kept for undoing are kept for those alone (None keeps every one);
        `unique_ids=True` when the input was rid of repeated ids in advance (`read_ordered`),
        so that no set of seen ids is kept (about 100 MiB for a million events)."""
        self.seen: set[str] = _NEVER_SEEN if unique_ids else set()
        self.links: dict[str, list[Link]] = {}
        self.caps: dict[str, list[int]] = {}  # cap key -> [count, points]
        self.accepted: dict[str, Accepted] = {}
        self.fans: dict[str, FanState] = {}
        self.progress: dict[tuple[str, str, str], dict[str, Any]] = {}  # (fan, campaign, badge)
        self.grants: dict[tuple[str, str], dict[str, Grant]] = {}  # (fan, campaign) -> badge -> grant
        self.solvers: dict[tuple[str, str], dict[str, str]] = {}  # (campaign, challenge) -> fan -> event
        self.scores: dict[tuple[str, str], dict[str, Score]] = {}  # (campaign/board, period) -> fan
        self.closed: set[tuple[str, str]] = set()  # board periods whose rank badges were granted
        self.ledger: list[Entry] = []
        self.keep_ledger = keep_ledger
        self.seq = 0
        self.dirty = Dirty() if track_changes else Dirty.discarding()
        self.tracking = track_changes  # the engine's hot paths skip `dirty` altogether when False
        self.retract_targets = retract_targets

    def remembers(self, event_id: str) -> bool:
        """Whether an accepted event's `Accepted` record is kept (see `retract_targets`)."""
        return self.retract_targets is None or event_id in self.retract_targets

    def next_seq(self) -> int:
        """The next number in processing order (ledger lines, grants)."""
        self.seq += 1
        return self.seq

    def fan(self, fan_id: str) -> FanState:
        """A fan's totals, created on first attribution."""
        state = self.fans.get(fan_id)
        if state is None:
            state = self.fans[fan_id] = FanState()
            if self.tracking:
                self.dirty.fans.add(fan_id)
        return state

    def join_campaign(self, fan_id: str, campaign_id: str) -> None:
        """Record that one of the fan's accepted events belonged to the campaign."""
        campaigns = self.fan(fan_id).campaigns
        if campaign_id not in campaigns:
            campaigns[campaign_id] = 0
            if self.tracking:
                self.dirty.fan_campaigns.add((fan_id, campaign_id))

    def add_link(self, profile: str, link: Link) -> None:
        """Link a profile to a fan from the link's time on."""
        links = self.links.setdefault(profile, [])
        links.append(link)
        links.sort(key=lambda item: item.at)
        self.dirty.links.append((profile, link))

    def resolve(self, profile: str | None, at: datetime) -> str | None:
        """The fan a profile's activity at `at` counts for, or None when unlinked."""
        return linked_fan(self.links.get(profile or "", ()), at)

    def grants_of(self, fan_id: str, campaign_id: str) -> dict[str, Grant]:
        """Badges a fan earned in a campaign."""
        return self.grants.get((fan_id, campaign_id), {})

    def grant(self, fan_id: str, campaign_id: str, grant: Grant) -> None:
        """Record a badge earned (once per fan per campaign)."""
        self.grants.setdefault((fan_id, campaign_id), {})[grant.badge] = grant
        self.dirty.grants.append((fan_id, campaign_id, grant))
        self.progress.pop((fan_id, campaign_id, grant.badge), None)
        self.dirty.progress.add((fan_id, campaign_id, grant.badge))
