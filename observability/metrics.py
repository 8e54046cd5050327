"""Prometheus metrics of one process, and the gauges read from the database at each scrape.

Counters live in this process's memory (one registry per process, not multiprocess-safe:
each web worker, scheduler or `ingest` run counts its own). Rates such as events per
second are PromQL's `rate()` over the counters. What the database already knows (how far
behind each connector source is, how many events sit in the quarantine) is read when
scraped, so every worker reports the same values.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

REGISTRY = CollectorRegistry(auto_describe=True)

EVENTS = Counter(
    "fanfare_events",
    "Events ingested, by source and outcome (accepted, duplicate, rejected).",
    ["source", "outcome"],
    registry=REGISTRY,
)
LEDGER_ENTRIES = Counter(
    "fanfare_ledger_entries", "Ledger entries written, by source.", ["source"], registry=REGISTRY
)
POINTS = Counter(
    "fanfare_points_awarded",
    "Points of the positive ledger entries written, by source.",
    ["source"],
    registry=REGISTRY,
)
POINTS_TAKEN = Counter(
    "fanfare_points_retracted",
    "Points taken back by negative ledger entries, by source.",
    ["source"],
    registry=REGISTRY,
)
API_ERRORS = Counter(
    "fanfare_api_errors",
    "Earn API answers of 4xx or 5xx, by endpoint and status.",
    ["endpoint", "status"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "fanfare_job_runs", "Scheduled job runs, by job and outcome.", ["job", "outcome"], registry=REGISTRY
)


def source_label(source: str) -> str:
    """A bounded label for an ingestion source: a file's name is one "file" source."""
    if source.endswith((".jsonl", ".json")) or "/" in source or source in ("stdin", "<stdin>"):
        return "file"
    return source[:80]


def record_batch(source: str, outcomes: Iterable[str], rejected: int, entries: Iterable[Any]) -> None:
    """Count one committed batch: each event's outcome, the quarantined inputs, the ledger."""
    label = source_label(source)
    tally = Tally("duplicate" if o == "duplicate" else "accepted" for o in outcomes if o != "rejected")
    tally["rejected"] += rejected
    for outcome, n in tally.items():
        if n:
            EVENTS.labels(label, outcome).inc(n)
    count = given = taken = 0
    for entry in entries:
        count += 1
        if entry.points >= 0:
            given += entry.points
        else:  # a counter never goes down: retractions are counted on their own
            taken -= entry.points
    if count:
        LEDGER_ENTRIES.labels(label).inc(count)
        POINTS.labels(label).inc(given)
        POINTS_TAKEN.labels(label).inc(taken)


def on_commit(session: Session, action: Any) -> None:
    """Run `action` once the session's transaction commits (never for a rolled-back one)."""
    from sqlalchemy import event

    def fire(_session: Session) -> None:
        event.remove(session, "after_rollback", drop)
        action()

    def drop(_session: Session) -> None:
        if event.contains(session, "after_commit", fire):
            event.remove(session, "after_commit", fire)
        event.remove(session, "after_rollback", drop)

    event.listen(session, "after_commit", fire, once=True)
    event.listen(session, "after_rollback", drop)


def database_gauges(session: Session, now: datetime | None = None) -> CollectorRegistry:
    """Gauges read from the database now: ingest lag per connector source, the quarantine."""
    from storage.models.connectors import ConnectorSource
    from storage.models.core import QuarantinedEvent

    now = now or datetime.now(UTC)
    registry = CollectorRegistry(auto_describe=True)
    lag = Gauge(
        "fanfare_ingest_lag_seconds",
        "Seconds since a connector source's last successful poll.",
        ["source"],
        registry=registry,
    )
    newest = Gauge(
        "fanfare_source_newest_activity_age_seconds",
        "Age of the newest activity a connector source has stored.",
        ["source"],
        registry=registry,
    )
    for source in session.scalars(select(ConnectorSource)):
        if source.last_ok_at is not None:
            lag.labels(source.name).set(_age(now, source.last_ok_at))
        if source.newest_at is not None:
            newest.labels(source.name).set(_age(now, source.newest_at))
    quarantined = Gauge(
        "fanfare_quarantined_events",
        "Inputs kept in the quarantine, by source.",
        ["source"],
        registry=registry,
    )
    rows = session.execute(select(QuarantinedEvent.source, func.count()).group_by(QuarantinedEvent.source))
    for source, n in _by_label(rows):
        quarantined.labels(source).set(n)
    _inbox_gauges(session, registry, now)
    return registry


def _inbox_gauges(session: Session, registry: CollectorRegistry, now: datetime) -> None:
    """How much waits for the workers (docs/workers.md), by source, and for how long."""
    from storage.models.inbox import InboxEvent

    waiting = Gauge(
        "fanfare_inbox_events", "Events queued for the workers, by source.", ["source"], registry=registry
    )
    oldest = Gauge(
        "fanfare_inbox_oldest_age_seconds",
        "How long the longest-waiting queued event has waited, by source.",
        ["source"],
        registry=registry,
    )
    rows = session.execute(
        select(InboxEvent.source, func.count(), func.min(InboxEvent.enqueued_at)).group_by(InboxEvent.source)
    ).all()
    for source, n in _by_label((source, n) for source, n, _ in rows):
        waiting.labels(source).set(n)
    ages: dict[str, float] = {}
    for source, _, first in rows:
        label = source_label(source)
        ages[label] = max(ages.get(label, 0.0), _age(now, first))
    for label, age in ages.items():
        oldest.labels(label).set(age)


def _by_label(rows: Iterable[Any]) -> Mapping[str, int]:
    out: Tally[str] = Tally()
    for source, n in rows:
        out[source_label(source)] += n
    return out.items()  # type: ignore[return-value]


def _age(now: datetime, then: datetime) -> float:
    then = then if then.tzinfo else then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())


def exposition(session: Session) -> bytes:
    """The text a scraper reads: this process's counters and the database's gauges."""
    return generate_latest(REGISTRY) + generate_latest(database_gauges(session))
