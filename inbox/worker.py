"""Workers: processes that apply queued events, many at once against one database.

Each batch is one transaction that
  1. claims a few partitions by locking their rows (`FOR UPDATE SKIP LOCKED`: a partition
     another worker holds is passed over, never waited for), those with the oldest
     waiting events first, so the backlog drains in about the order it happened;
  2. takes their oldest events in time order (a fan's events all wait in one partition,
     so each fan's events are applied in time order and never by two workers at once);
  3. stops before an answer to a challenge with `winners` while an earlier answer to it
     waits elsewhere (the first N by time win, across fans);
  4. applies them with the same code as every other ingestion (`pipeline.ingest_in`, which
     also locks the fans it touches) and deletes them from the inbox.
A worker killed at any point leaves its transaction uncommitted: the database rolls it
back, the partition lock goes with the connection, and the events wait for the next
worker. Nothing is lost, and since the inbox rows go in the same commit as the awards,
nothing is applied twice.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from engine.events import EventError, parse_line
from engine.gc_pause import gc_paused
from engine.rules.model import CampaignSet
from inbox.router import pending, policy_from
from pipeline import Bad, IngestReport, Scorer, ingest_in
from storage.db import share_engine_state, transaction
from storage.models.core import ChallengeSolver
from storage.models.inbox import InboxEvent
from storage.pg_arrays import array_text
from storage.statistics import Statistics

log = logging.getLogger(__name__)
CLAIM = 8  # partitions per batch: enough to fill a batch, few enough to leave some to others
# Events per batch at most (a batch takes what its partitions hold, so it is this large only
# under a backlog). A fan's rows (scores, badge progress, caps, totals) are written once per
# batch however many of its events the batch holds, so larger batches cost the server less
# per event: with 2 workers, 5,000 / 10,000 / 20,000 gave 10,120 / 10,708 / 11,250 events/s
# at 88 / 77 / 68 µs of server CPU per event (bench/scale.py, docs/workers.md).
WORKER_BATCH = 20_000

_CLAIM_POSTGRESQL = text(
    "SELECT p.part FROM inbox_partitions AS p "
    "CROSS JOIN LATERAL (SELECT i.at FROM inbox AS i WHERE i.part = p.part "
    "ORDER BY i.at, i.event_id LIMIT 1) AS oldest "
    "ORDER BY oldest.at LIMIT :claim FOR UPDATE OF p SKIP LOCKED"
)
_DELETE_POSTGRESQL = text("DELETE FROM inbox WHERE id = ANY(CAST(:ids AS bigint[]))")
_CLAIM_SQLITE = text(  # one writer at a time: the batch already holds the database
    "SELECT part FROM (SELECT p.part AS part, (SELECT min(i.at) FROM inbox AS i WHERE i.part = p.part) "
    "AS oldest FROM inbox_partitions AS p) WHERE oldest IS NOT NULL ORDER BY oldest LIMIT :claim"
)


@dataclass(slots=True)
class WorkerReport:
    """What a worker did: batches committed, events taken, and how ingestion went."""

    batches: int = 0
    taken: int = 0
    retries: int = 0
    ingest: IngestReport = field(default_factory=IngestReport)


def drain_once(
    sessions: sessionmaker[Session],
    campaigns: CampaignSet,
    *,
    now: datetime | None = None,
    batch: int = WORKER_BATCH,
    claim: int = CLAIM,
    scorer: Scorer | None = None,
    report: WorkerReport | None = None,
) -> int:
    """Apply one batch of queued events; how many were taken (0: none ready for this worker)."""
    report = report if report is not None else WorkerReport()
    with gc_paused(), transaction(sessions) as session:
        # Before claiming, not only in `ingest_in`: on SQLite this is the writer lock, and a
        # second worker must not read the same rows before this batch deletes them.
        share_engine_state(session)
        parts = _claim(session, claim)
        rows = _ungated(session, _oldest(session, parts, batch), parts, campaigns) if parts else []
        if not rows:
            return 0
        _delete(session, [row.id for row in rows])  # gone at commit, with the awards, or not at all
        _apply(session, campaigns, rows, now or datetime.now(UTC), scorer, report.ingest)
    report.batches += 1
    report.taken += len(rows)
    return len(rows)


def _claim(session: Session, claim: int) -> list[int]:
    query = _CLAIM_POSTGRESQL if session.get_bind().dialect.name == "postgresql" else _CLAIM_SQLITE
    return [int(part) for part in session.scalars(query, {"claim": claim})]


def _delete(session: Session, ids: list[int]) -> None:
    if session.get_bind().dialect.name == "postgresql":  # one statement, one array parameter
        session.execute(_DELETE_POSTGRESQL, {"ids": array_text(ids)})
        return
    inbox = InboxEvent.__table__
    for start in range(0, len(ids), 500):  # bound parameters per statement: SQLite's limit
        session.execute(delete(inbox).where(inbox.c.id.in_(ids[start : start + 500])))


def _oldest(session: Session, parts: Sequence[int], batch: int) -> list[Any]:
    inbox = InboxEvent.__table__  # Core rows: mapped objects would cost more than the batch
    query = select(inbox).where(inbox.c.part.in_(parts)).order_by(inbox.c.at, inbox.c.event_id).limit(batch)
    return session.execute(query).all()  # fetched at once, not row by row


def _ungated(session: Session, rows: list[Any], parts: Sequence[int], campaigns: CampaignSet) -> list[Any]:
    """The rows up to the first gated one that an earlier event of its gate, waiting in a
    partition this batch does not hold, must go before.

    A challenge whose winners are all found gates nothing any more: from then on every
    answer gets the same verdict in any order (wrong, already answered, or too late).
    """
    full: dict[str, bool] = {}
    for index, row in enumerate(rows):
        if row.gate is None:
            continue
        if row.gate not in full:
            full[row.gate] = _all_winners_found(session, campaigns, row.gate)
        if full[row.gate]:
            continue
        earlier = exists().where(
            InboxEvent.gate == row.gate,
            InboxEvent.part.not_in(parts),
            or_(InboxEvent.at < row.at, and_(InboxEvent.at == row.at, InboxEvent.event_id < row.event_id)),
        )
        if session.scalar(select(earlier)):
            return rows[:index]
    return rows


def _all_winners_found(session: Session, campaigns: CampaignSet, gate: str) -> bool:
    """Whether every challenge the gate names has as many solvers as it has winners."""
    challenge = gate.removeprefix("challenge:")
    limits = [
        (campaign.id, ch.winners)
        for campaign in campaigns.campaigns
        for ch in campaign.challenges
        if ch.id == challenge and ch.winners is not None
    ]
    for campaign_id, winners in limits:
        query = select(func.count()).where(
            ChallengeSolver.campaign_id == campaign_id, ChallengeSolver.challenge_id == challenge
        )
        if (session.scalar(query) or 0) < winners:
            return False
    return True


def _apply(
    session: Session,
    campaigns: CampaignSet,
    rows: list[Any],
    now: datetime,
    scorer: Scorer | None,
    report: IngestReport,
) -> None:
    events, bad, policies, lines = [], [], {}, {}
    for row in rows:
        try:
            event = parse_line(row.payload)
        except EventError as exc:  # stored by an older release, say: set aside
            bad.append(Bad(row.line, f"{row.event_id}: {exc}", row.payload))
            continue
        events.append(event)
        policies[event.id] = policy_from(row.policy)
        if row.line is not None:
            lines[event.id] = row.line
    sources = Counter(row.source for row in rows)
    source = next(iter(sources)) if len(sources) == 1 else "inbox"
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
        policies=policies,
    )


def run(
    sessions: sessionmaker[Session],
    campaigns: Callable[[], CampaignSet | None],
    *,
    stop: threading.Event,
    batch: int = WORKER_BATCH,
    claim: int = CLAIM,
    scorer: Scorer | None = None,
    until_empty: bool = False,
    idle: float = 1.0,
) -> WorkerReport:
    """Apply batches until `stop` is set (or, with `until_empty`, until nothing waits).

    A batch that fails on the database (a deadlock the server broke, a lost connection) is
    rolled back whole and tried again after a pause; its events wait meanwhile.
    """
    report = WorkerReport()
    statistics = Statistics.of(sessions)
    pause = 0.05
    while not stop.is_set():
        current = campaigns()
        if current is None:
            stop.wait(idle)
            continue
        try:
            taken = drain_once(sessions, current, batch=batch, claim=claim, scorer=scorer, report=report)
        except DBAPIError as exc:
            report.retries += 1
            log.warning("worker batch rolled back, trying again: %s", exc.orig or exc)
            stop.wait(pause)
            pause = min(pause * 2, 5.0)
            continue
        pause = 0.05
        if statistics is not None:
            statistics.refresh()
        if taken:
            continue
        if _waiting(sessions) == 0:
            if until_empty:
                break
            stop.wait(idle)
        else:
            stop.wait(0.05)  # the rest is held by other workers or waits behind a gate
    return report


def _waiting(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return pending(session)
