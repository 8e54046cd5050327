"""Ingestion: events in, stored once, scored, processed by the engine, all in one transaction.

connector or file -> parse -> (quarantine the bad) -> sentiment -> engine -> database.
Each batch is one transaction: its events, ledger entries and rule state land
together or not at all, so a crash mid-way loses nothing and a retry awards nothing
twice (event ids and ledger keys are unique).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from engine.events import Event, EventError, parse_event
from engine.gc_pause import gc_paused
from engine.policy import ScoringPolicy
from engine.processor import Engine, Outcome
from engine.reading import read_ordered
from engine.rules.model import CampaignSet
from engine.state import EngineState, Entry
from observability import batch as batch_done
from storage.db import (
    CHALLENGE_LOCKS,
    FAN_LOCKS,
    share_engine_state,
    take_engine_state,
    take_keys,
    transaction,
)
from storage.models.core import QuarantinedEvent
from storage.state_store import flush_state, load_boards, load_state, upsert
from storage.statistics import Statistics

Scorer = Callable[[str | None], float]
BATCH = 5000
Also = Callable[[Session], None]  # more writes that must land in the batch's transaction


@dataclass(slots=True)
class IngestReport:
    """Counts of what one ingestion did."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    entries: int = 0
    points: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        return (
            f"{self.accepted} event(s) accepted, {self.duplicates} duplicate(s) ignored, "
            f"{self.rejected} quarantined; {self.entries} ledger entries, {self.points} points"
        )


@dataclass(frozen=True, slots=True)
class Bad:
    """An input that was not accepted: where it came from, why, and the raw text."""

    line: int | None
    error: str
    raw: str


def ingest_lines(
    sessions: sessionmaker[Session],
    campaigns: CampaignSet,
    lines: Iterable[str],
    *,
    source: str,
    now: datetime,
    scorer: Scorer | None = None,
    batch: int = BATCH,
) -> IngestReport:
    """Ingest a JSON Lines file as `simulate` reads it: first line per id, in `at` order.

    The file is read once to order it (keeping each good line's text, not its parsed
    event, to bound memory), then processed in batches of `batch` events, each its
    own transaction. Bad lines go to the quarantine with their line numbers.
    """
    # The collector is paused while reading and inside each batch (engine/gc_pause.py: a third
    # of the CPU time went to it); between batches it runs, for the cycles a session leaves.
    with gc_paused():
        ordered = read_ordered(lines, source)
    report = IngestReport(duplicates=ordered.duplicates)
    bad = [Bad(item.line, item.error, item.raw) for item in ordered.rejected]
    ingest_batch(sessions, campaigns, [], bad, source=source, now=now, scorer=scorer, report=report)
    statistics = Statistics.of(sessions)
    for part in ordered.batches(batch):
        if statistics is not None:
            statistics.refresh()
        with gc_paused():
            ingest_batch(
                sessions,
                campaigns,
                [event for _, event in part],
                [],
                source=source,
                now=now,
                scorer=scorer,
                report=report,
                lines={event.id: line for line, event in part},
            )
    close_periods(sessions, campaigns, now)
    return report


def ingest_events(
    sessions: sessionmaker[Session],
    campaigns: CampaignSet,
    items: Iterable[Mapping[str, Any] | Event],
    *,
    source: str,
    now: datetime,
    scorer: Scorer | None = None,
    policy: ScoringPolicy | None = None,
    also: Also | None = None,
) -> IngestReport:
    """Ingest a list of event mappings (a connector's poll, an API call) or `Event`s.

    `policy` limits who and what earns (connectors pass one; see engine.policy);
    `also` runs inside the same transaction after the events are written, so a
    connector's checkpoint lands together with the events it covers.
    """
    events, bad = parse_items(items)
    report = IngestReport()
    ingest_batch(
        sessions,
        campaigns,
        events,
        bad,
        source=source,
        now=now,
        scorer=scorer,
        report=report,
        policy=policy,
        also=also,
    )
    return report


def parse_items(items: Iterable[Mapping[str, Any] | Event]) -> tuple[list[Event], list[Bad]]:
    """Events from mappings (or `Event`s as they are), and what could not be parsed, why."""
    events: list[Event] = []
    bad: list[Bad] = []
    for index, item in enumerate(items):
        if isinstance(item, Event):
            events.append(item)
            continue
        try:
            events.append(parse_event(item))
        except EventError as exc:
            bad.append(Bad(None, f"item {index}: {exc}", json.dumps(item, default=str, ensure_ascii=False)))
    return events, bad


def ingest_batch(
    sessions: sessionmaker[Session],
    campaigns: CampaignSet,
    events: list[Event],
    bad: list[Bad],
    *,
    source: str,
    now: datetime,
    scorer: Scorer | None,
    report: IngestReport,
    lines: Mapping[str, int] | None = None,
    policy: ScoringPolicy | None = None,
    also: Also | None = None,
) -> None:
    """One transaction: first line per id wins, processed in time order (ties by id)."""
    if not events and not bad and also is None:
        return
    with transaction(sessions) as session:
        ingest_in(
            session,
            campaigns,
            events,
            bad,
            source=source,
            now=now,
            scorer=scorer,
            report=report,
            lines=lines,
            policy=policy,
        )
        if also is not None:
            also(session)


@dataclass(frozen=True, slots=True)
class Applied:
    """What one batch did to each event (by id) and the ledger entries it wrote."""

    outcomes: Mapping[str, Outcome]
    entries: tuple[Entry, ...]


def ingest_in(
    session: Session,
    campaigns: CampaignSet,
    events: list[Event],
    bad: list[Bad],
    *,
    source: str,
    now: datetime,
    scorer: Scorer | None = None,
    report: IngestReport | None = None,
    lines: Mapping[str, int] | None = None,
    policy: ScoringPolicy | None = None,
    policies: Mapping[str, ScoringPolicy | None] | None = None,
) -> Applied:
    """The body of one batch inside the caller's transaction, so that a caller's own
    writes (a claim code marked used, a webhook outbox row) land with the awards or not at all.

    `policies` (event id -> policy) overrides `policy` per event, for a worker's batch that
    mixes events of several sources. Batches of other fans may run at the same time: this
    one locks the fans it touches, and the challenges it answers, before reading them.
    """
    report = report if report is not None else IngestReport()
    unique: dict[str, Event] = {}
    for event in events:
        unique.setdefault(event.id, event)
    report.duplicates += len(events) - len(unique)
    ordered = sorted((scored(e, scorer) for e in unique.values()), key=lambda e: (e.at, e.id))
    share_engine_state(session)
    challenges = {f"{e.attrs.get('challenge')}" for e in ordered if e.type == "quiz_answer"}

    def lock(fans: set[str]) -> None:
        take_keys(session, FAN_LOCKS, fans)
        take_keys(session, CHALLENGE_LOCKS, challenges)  # winners are counted across fans

    state = load_state(session, ordered, campaigns, lock)
    engine = Engine(campaigns, state, scorer, policy)
    outcomes: dict[str, Outcome] = {}
    for event in ordered:
        if policies is not None:
            engine.policy = policies.get(event.id, policy)
        outcome = outcomes[event.id] = engine.process(event)
        if outcome.status == "duplicate":
            report.duplicates += 1
        elif outcome.status == "rejected":
            line = lines.get(event.id) if lines else None
            bad.append(
                Bad(line, f"{event.id}: {outcome.error}", json.dumps(event.to_dict(), ensure_ascii=False))
            )
        else:
            report.accepted += 1
    flush_state(session, state, {e.id: e for e in ordered}, now)
    quarantine(session, bad, source, now)
    report.rejected += len(bad)
    report.entries += len(state.ledger)
    report.points += sum(e.points for e in state.ledger)
    batch_done.after_commit(session, source, events, outcomes, bad, state.ledger)  # metrics and logs
    return Applied(outcomes, tuple(state.ledger))


def scored(event: Event, scorer: Scorer | None) -> Event:
    """Put the scorer's polarity on a text event that came without one."""
    if scorer is None or event.sentiment is not None or not event.text:
        return event
    return event.with_sentiment(scorer(event.text))


def quarantine(session: Session, bad: list[Bad], source: str, now: datetime) -> None:
    """Keep bad inputs for inspection; the same input from the same source is kept once."""
    rows = [
        {
            "fingerprint": _fingerprint(source, b),
            "source": source,
            "line": b.line,
            "error": b.error,
            "raw": b.raw,
            "received_at": now,
        }
        for b in bad
    ]
    upsert(session, QuarantinedEvent, rows, ("fingerprint",))


def _fingerprint(source: str, bad: Bad) -> str:
    return hashlib.sha256(f"{source}\n{bad.line}\n{bad.raw}".encode()).hexdigest()


def close_periods(sessions: sessionmaker[Session], campaigns: CampaignSet, now: datetime) -> None:
    """Grant leaderboard badges for board periods closed by `now` (a periodic job too)."""
    boards = {f"{c.id}/{b.leaderboard}" for c in campaigns.campaigns for b in c.badges if b.kind == "rank"}
    if not boards:
        return
    with transaction(sessions) as session:
        take_engine_state(session)
        state = EngineState()
        load_boards(session, state, boards)
        state.seq = load_state(session, [], campaigns).seq
        Engine(campaigns, state).close_periods(now)
        flush_state(session, state, {}, now)
