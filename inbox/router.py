"""Arrivals: events parsed, scored and routed into the inbox for the workers (inbox/worker.py).

An event is routed by the fan it counts for, so that all of a fan's events wait in one
partition and one worker at a time applies them, oldest first. Which fan a profile's
activity counts for depends on links (`profile_linked` events and their retractions),
so links are decided here, in arrival order under one lock, and stored at once: a link
says from when to when it holds, so a worker resolving a profile at an event's time
finds the same fan the router did, whatever order the partitions are drained in.

Answers to a challenge with `winners` carry a gate: the first N correct answers by time
win, across fans, so a worker applies such an answer only once no earlier answer to the
same challenge is waiting in another partition.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.events import Event
from engine.gc_pause import gc_paused
from engine.policy import ScoringPolicy
from engine.reading import read_ordered
from engine.rules.model import CampaignSet
from engine.state import Link
from pipeline import BATCH, Also, Bad, Scorer, parse_items, quarantine, scored
from storage.db import take_lock, transaction
from storage.models.core import Fan, LinkedProfile, StoredEvent
from storage.models.inbox import InboxEvent, InboxPartition
from storage.state_store import aware, columns_where_in, rows_where_in, upsert, write_links
from storage.statistics import Statistics

PARTITIONS = 64  # fixed: a fan's partition must not change while its events wait
ROUTER_LOCK_ID = 0x46414E52


@dataclass(slots=True)
class EnqueueReport:
    """What an arrival did: events queued, ids seen before, inputs quarantined."""

    queued: int = 0
    duplicates: int = 0
    rejected: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        return (
            f"{self.queued} event(s) queued, {self.duplicates} duplicate(s) ignored, "
            f"{self.rejected} quarantined"
        )


def partition_of(route: str) -> int:
    """The partition of a routing key (stable across processes and releases)."""
    return zlib.crc32(route.encode()) % PARTITIONS


def policy_json(policy: ScoringPolicy | None) -> dict[str, Any] | None:
    """A policy as stored with each queued event."""
    if policy is None:
        return None
    earns = {platform: sorted(types) for platform, types in policy.earns.items()}
    return {"require_link": policy.require_link, "earns": earns}


def policy_from(value: Mapping[str, Any] | None) -> ScoringPolicy | None:
    """The inverse of `policy_json`."""
    if value is None:
        return None
    earns = {platform: frozenset(types) for platform, types in value.get("earns", {}).items()}
    return ScoringPolicy(bool(value.get("require_link", True)), earns)


def enqueue_lines(
    sessions: sessionmaker[Session],
    campaigns: CampaignSet,
    lines: Iterable[str],
    *,
    source: str,
    now: datetime,
    scorer: Scorer | None = None,
    batch: int = BATCH,
) -> EnqueueReport:
    """Queue a JSON Lines file: first line per id, routed in `at` order, bad lines quarantined."""
    with gc_paused():
        ordered = read_ordered(lines, source)
    report = EnqueueReport(duplicates=ordered.duplicates, rejected=len(ordered.rejected))
    if ordered.rejected:
        with transaction(sessions) as session:
            quarantine(session, [Bad(r.line, r.error, r.raw) for r in ordered.rejected], source, now)
    statistics = Statistics.of(sessions)
    for part in ordered.batches(batch):
        if statistics is not None:
            statistics.refresh()
        with gc_paused(), transaction(sessions) as session:
            events = [event for _, event in part]
            lines_of = {event.id: line for line, event in part}
            enqueue_in(
                session,
                campaigns,
                events,
                source=source,
                now=now,
                scorer=scorer,
                report=report,
                lines=lines_of,
            )
    return report


def enqueue_events(
    sessions: sessionmaker[Session],
    campaigns: CampaignSet,
    items: Iterable[Mapping[str, Any] | Event],
    *,
    source: str,
    now: datetime,
    scorer: Scorer | None = None,
    policy: ScoringPolicy | None = None,
    also: Also | None = None,
) -> EnqueueReport:
    """Queue a connector's page or an API call's events in one transaction, with `also`."""
    events, bad = parse_items(items)
    report = EnqueueReport(rejected=len(bad))
    with transaction(sessions) as session:
        quarantine(session, bad, source, now)
        enqueue_in(
            session, campaigns, events, source=source, now=now, scorer=scorer, report=report, policy=policy
        )
        if also is not None:
            also(session)
    return report


def enqueue_in(
    session: Session,
    campaigns: CampaignSet,
    events: Sequence[Event],
    *,
    source: str,
    now: datetime,
    scorer: Scorer | None = None,
    report: EnqueueReport | None = None,
    policy: ScoringPolicy | None = None,
    lines: Mapping[str, int] | None = None,
) -> EnqueueReport:
    """Route and queue events inside the caller's transaction."""
    report = report if report is not None else EnqueueReport()
    unique: dict[str, Event] = {}
    for event in events:
        unique.setdefault(event.id, event)
    report.duplicates += len(events) - len(unique)
    take_lock(session, ROUTER_LOCK_ID)  # links are decided one arrival at a time
    known = _known_ids(session, set(unique))
    fresh = sorted(
        (scored(e, scorer) for i, e in unique.items() if i not in known), key=lambda e: (e.at, e.id)
    )
    report.duplicates += len(unique) - len(fresh)
    if not fresh:
        return report
    router = _Router.load(session, fresh)
    gates = _gated_challenges(campaigns)
    routes = {event.id: router.route(event) for event in fresh}
    # A retract of an event not seen by its own time is refused now, as one process applying
    # events in time order refuses it; a worker might otherwise find its target applied.
    refused = [e for e in fresh if routes[e.id] is None]
    bad = [
        Bad(lines.get(e.id) if lines else None, f"{e.id}: retracts unknown event {e.retracts!r}", _json(e))
        for e in refused
    ]
    quarantine(session, bad, source, now)
    report.rejected += len(bad)
    rows = [
        _row(event, route, gates, source, now, policy, lines)
        for event in fresh
        if (route := routes[event.id]) is not None
    ]
    linked = sorted({link.fan for _, link in router.changed})
    fans = [{"id": fan, "kind": "account", "lifetime_points": 0, "created_at": now} for fan in linked]
    upsert(session, Fan, fans, ("id",))  # a link names its fan; the worker adds the totals
    write_links(session, router.changed)
    upsert(session, InboxEvent, rows, ("event_id",))
    upsert(session, InboxPartition, [{"part": p} for p in sorted({r["part"] for r in rows})], ("part",))
    report.queued += len(rows)
    return report


def _row(
    event: Event,
    route: str,
    gates: frozenset[str],
    source: str,
    now: datetime,
    policy: ScoringPolicy | None,
    lines: Mapping[str, int] | None,
) -> dict[str, Any]:
    challenge = event.attrs.get("challenge") if event.type == "quiz_answer" else None
    return {
        "event_id": event.id,
        "part": partition_of(route),
        "route": route[:300],
        "at": event.at,
        "gate": f"challenge:{challenge}"[:200] if challenge in gates else None,
        "source": source[:500],
        "line": lines.get(event.id) if lines else None,
        "policy": policy_json(policy),
        "payload": _json(event),
        "enqueued_at": now,
    }


def _json(event: Event) -> str:
    return json.dumps(event.to_dict(), ensure_ascii=False)


def _gated_challenges(campaigns: CampaignSet) -> frozenset[str]:
    return frozenset(str(ch.id) for c in campaigns.campaigns for ch in c.challenges if ch.winners is not None)


def _known_ids(session: Session, ids: set[str]) -> set[str]:
    """Ids already queued or already applied: a second arrival is a duplicate. Only the ids
    are read: whole rows would bring every payload of a re-sent page along."""
    inbox, stored = InboxEvent.__table__, StoredEvent.__table__
    known = {row[0] for row in columns_where_in(session, inbox, ("event_id",), "event_id", ids)}
    known |= {row[0] for row in columns_where_in(session, stored, ("id",), "id", ids - known)}
    return known


@dataclass(slots=True)
class _Target:
    """What routing needs of an event a retract names."""

    route: str
    type: str
    profile: str | None
    retracted: bool


@dataclass(slots=True)
class _Router:
    """Links of the profiles in play and the events retracts name, kept current while routing."""

    links: dict[str, list[Link]]
    targets: dict[str, _Target]
    changed: list[tuple[str, Link]] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session, events: Sequence[Event]) -> _Router:
        wanted = {e.retracts for e in events if e.retracts}
        targets = _stored_targets(session, wanted) | _queued_targets(session, wanted)
        profiles = {e.profile_key for e in events if e.profile_key}
        profiles |= {str(e.attrs["profile"]) for e in events if e.type == "profile_linked"}
        profiles |= {t.profile for t in targets.values() if t.profile}
        links: dict[str, list[Link]] = {}
        for row in rows_where_in(session, LinkedProfile, "profile_key", profiles):
            link = Link(row.fan_id, aware(row.linked_at), row.link_event_id, aware(row.unlinked_at))  # type: ignore[arg-type]
            links.setdefault(row.profile_key, []).append(link)
        for items in links.values():
            items.sort(key=lambda link: link.at)
        return cls(links, targets)

    def route(self, event: Event) -> str | None:
        """The fan (or standing-in profile) this event counts for; links it makes or undoes.

        None for a retract of an event not seen yet (see `_retract`).
        """
        if event.type == "retract":
            return self._retract(event)
        route = event.fan or self._resolve(event.profile_key or f"{event.platform}:?", event.at)
        profile = str(event.attrs["profile"]) if event.type == "profile_linked" else None
        if profile is not None:
            link = Link(route, event.at, event.id)
            self.links.setdefault(profile, []).append(link)
            self.links[profile].sort(key=lambda item: item.at)
            self.changed.append((profile, link))
        self.targets[event.id] = _Target(route, event.type, profile, False)
        return route

    def _resolve(self, profile: str, at: datetime) -> str:
        for link in reversed(self.links.get(profile, ())):
            if link.at <= at and (link.until is None or at < link.until):
                return link.fan
        return profile

    def _retract(self, event: Event) -> str | None:
        """The retracted event's route, or None when it was not seen by the retract's time
        (earlier in this arrival, queued, or applied before)."""
        target = self.targets.get(event.retracts or "")
        if target is None:
            return None
        if target.type == "profile_linked" and not target.retracted and target.profile:
            for link in self.links.get(target.profile, ()):
                if link.event_id == event.retracts and link.until is None:
                    link.until = event.at
                    self.changed.append((target.profile, link))
        if target.type != "retract":
            target.retracted = True
        self.targets[event.id] = _Target(target.route, "retract", None, False)  # refused if retracted
        return target.route


def _stored_targets(session: Session, ids: set[str]) -> dict[str, _Target]:
    found = {}
    for row in rows_where_in(session, StoredEvent, "id", ids):
        profile = row.payload.get("attrs", {}).get("profile") if row.type == "profile_linked" else None
        route = row.fan_id or row.profile_key or row.id
        found[row.id] = _Target(route, row.type, profile, row.retracted_by is not None)
    return found


def _queued_targets(session: Session, ids: set[str]) -> dict[str, _Target]:
    found = {}
    for row in rows_where_in(session, InboxEvent, "event_id", ids):
        payload = json.loads(row.payload)
        profile = payload.get("attrs", {}).get("profile") if payload.get("type") == "profile_linked" else None
        found[row.event_id] = _Target(row.route, str(payload.get("type")), profile, False)
    return found


def pending(session: Session) -> int:
    """How many events wait in the inbox."""
    return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)
