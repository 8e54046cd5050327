"""Poll a source once: budget and rate checks, ingestion with its checkpoint, backoff on failure.

Each page's events go through `pipeline.ingest_events` with the connector's
`ScoringPolicy` (tracked-link shares checked against the fan the link was issued
to first, `connectors.tracked_links`), and in the same transaction the source's new cursor, counters
and the month's spend are written, plus the redaction of posts deleted on the
platform. A crash therefore loses at most the page in flight, which the next
poll fetches again (stable ids: nothing is awarded twice). After a 429 the
source waits until the reset the platform named; after a 5xx, a timeout or a
garbled answer it backs off exponentially; a monthly spend limit stops paid reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Batch, Cost, PollContext, Source, StoredPost
from connectors.errors import ConnectorError, Failed, OverBudget, RateLimited, Transient
from connectors.rates import RateBook
from connectors.redact import redact
from connectors.tracked_links import verify_shares
from engine.events import parse_time
from engine.policy import ScoringPolicy
from engine.rules.model import CampaignSet
from inbox.router import EnqueueReport, enqueue_events
from pipeline import Scorer, ingest_events
from storage.db import transaction
from storage.models.connectors import ConnectorSource, ConnectorSpend
from storage.models.core import StoredEvent
from storage.state_store import aware

BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
AFTER_FAILURE = timedelta(hours=1)
UNKNOWN_RESET = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Pricing:
    """Price per read and the monthly limit for one platform (zero for free APIs)."""

    post: Decimal = Decimal(0)
    user: Decimal = Decimal(0)
    monthly_budget: Decimal | None = None
    max_request: Cost = Cost(100, 100)  # the most one request can return

    def micro_usd(self, cost: Cost) -> int:
        """A cost in millionths of a dollar."""
        return int((self.post * cost.posts + self.user * cost.users) * 1_000_000)


@dataclass(slots=True)
class PollOutcome:
    """What one poll did."""

    source: str
    status: str  # ok | not-due | rate-limited | backoff | failed | over-budget
    events: int = 0
    fetched: int = 0
    points: int = 0
    message: str = ""
    next_due: datetime | None = None

    def summary(self) -> str:
        """One line for the command line."""
        due = f", next at {self.next_due:%Y-%m-%d %H:%M:%S}Z" if self.next_due else ""
        text = (
            f"{self.source}: {self.status}, {self.fetched} fetched, "
            f"{self.events} event(s), {self.points} points"
        )
        return text + (f" ({self.message})" if self.message else "") + due


@dataclass
class Poller:
    """Polls sources into the database through the one engine."""

    sessions: sessionmaker[Session]
    campaigns: Callable[[], CampaignSet]
    policy: ScoringPolicy
    rates: Mapping[str, RateBook]
    pricing: Mapping[str, Pricing] = field(default_factory=dict)
    scorer: Scorer | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    queue: bool = False  # True: events go to the inbox for worker processes (inbox/)

    def poll(self, source: Source, *, force: bool = False) -> PollOutcome:
        """Poll once if due (or `force`); never raises for platform trouble."""
        now = self.clock()
        row = self._row(source)
        if not force and row.next_due_at is not None and aware(row.next_due_at) > now:  # type: ignore[operator]
            return PollOutcome(source.name, "not-due", next_due=aware(row.next_due_at))
        book = self.rates.get(source.platform)
        if book is not None:
            book.restore(row.rates or {})
            book.budget = lambda: self._check_budget(source.platform)
        outcome = PollOutcome(source.name, "ok")
        notes: list[str] = []
        cursor: Mapping[str, Any] = dict(row.cursor or {})
        try:
            ctx = PollContext(now, self._stored)
            for batch in source.poll(cursor, ctx):
                self._store(source, batch, now, outcome)
                notes += batch.notes
                cursor = batch.cursor
        except ConnectorError as exc:
            return self._failed(source, exc, now, outcome)
        outcome.next_due = now + source.interval(now, cursor)
        self._finish(source, now, outcome.next_due, notes=notes, ok=True)
        return outcome

    # -- the happy path ------------------------------------------------------------------

    def _check_budget(self, platform: str) -> None:
        pricing = self.pricing.get(platform)
        if pricing is None or pricing.monthly_budget is None:
            return
        with self.sessions() as session:
            spent = session.get(ConnectorSpend, (platform, _month(self.clock())))
            used = spent.micro_usd if spent else 0
        limit = int(pricing.monthly_budget * 1_000_000)
        if used + pricing.micro_usd(pricing.max_request) > limit:
            raise OverBudget(
                f"{platform}: monthly budget ${pricing.monthly_budget} reached (${used / 1e6:.2f} spent)"
            )

    def _store(self, source: Source, batch: Batch, now: datetime, outcome: PollOutcome) -> None:
        """The batch's events, its cursor, counters, spend and redactions: one transaction."""
        pricing = self.pricing.get(source.platform, Pricing())

        def also(session: Session) -> None:
            values: dict[str, Any] = {
                "cursor": dict(batch.cursor),
                "fetched": ConnectorSource.fetched + batch.fetched,
            }
            newest = _newest(batch)
            if newest is not None:
                values["newest_at"] = newest
            session.execute(
                update(ConnectorSource).where(ConnectorSource.name == source.name).values(**values)
            )
            _add_spend(session, source.platform, _month(now), batch.cost, pricing.micro_usd(batch.cost))
            _redact(session, batch.redact)

        with self.sessions() as session:
            events = verify_shares(session, batch.events)
        arrive = enqueue_events if self.queue else ingest_events
        report = arrive(
            self.sessions,
            self.campaigns(),
            events,
            source=f"connector:{source.name}",
            now=now,
            scorer=self.scorer,
            policy=self.policy,
            also=also,
        )
        taken = report.queued if isinstance(report, EnqueueReport) else report.accepted
        outcome.events += taken
        outcome.fetched += batch.fetched
        outcome.points += getattr(report, "points", 0)  # queued events earn once a worker applies them
        with transaction(self.sessions) as session:
            session.execute(
                update(ConnectorSource)
                .where(ConnectorSource.name == source.name)
                .values(events=ConnectorSource.events + taken)
            )

    # -- status ------------------------------------------------------------------------

    def _row(self, source: Source) -> ConnectorSource:
        with transaction(self.sessions) as session:
            row = session.get(ConnectorSource, source.name)
            if row is None:
                row = ConnectorSource(
                    name=source.name,
                    platform=source.platform,
                    cursor={},
                    fetched=0,
                    events=0,
                    errors=0,
                    failures=0,
                    rates={},
                    notes=[],
                )
                session.add(row)
            session.flush()
            return row

    def _finish(
        self,
        source: Source,
        now: datetime,
        due: datetime,
        *,
        notes: Sequence[str] = (),
        ok: bool,
        error: str | None = None,
        failures: int = 0,
    ) -> None:
        book = self.rates.get(source.platform)
        values: dict[str, Any] = {"last_poll_at": now, "next_due_at": due, "failures": failures}
        if book is not None:
            values["rates"] = book.export()
        if ok:
            values.update(last_ok_at=now, notes=list(dict.fromkeys(notes)))
        else:
            values.update(last_error=redact(error or ""), errors=ConnectorSource.errors + 1)
        with transaction(self.sessions) as session:
            session.execute(
                update(ConnectorSource).where(ConnectorSource.name == source.name).values(**values)
            )

    def _failed(
        self, source: Source, exc: ConnectorError, now: datetime, outcome: PollOutcome
    ) -> PollOutcome:
        with self.sessions() as session:
            row = session.get(ConnectorSource, source.name)
            failures = (row.failures if row else 0) + 1
        status, due = _next_try(exc, now, failures)
        self._finish(
            source, now, due, ok=False, error=str(exc), failures=failures if status == "backoff" else 0
        )
        outcome.status, outcome.message, outcome.next_due = status, redact(str(exc)), due
        return outcome

    def _stored(self, platform: str, types: Sequence[str]) -> list[StoredPost]:
        """Stored, unretracted events of these types (for the deletion sweep)."""
        with self.sessions() as session:
            rows = session.execute(
                select(StoredEvent.id, StoredEvent.type, StoredEvent.at)
                .where(StoredEvent.platform == platform, StoredEvent.type.in_(list(types)))
                .where(StoredEvent.retracted_by.is_(None))
                .order_by(StoredEvent.at)
            )
            return [StoredPost(i, t, aware(at)) for i, t, at in rows]  # type: ignore[arg-type]


def _next_try(exc: ConnectorError, now: datetime, failures: int) -> tuple[str, datetime]:
    """When to come back after a failure, and what to call it."""
    if isinstance(exc, RateLimited):
        if exc.capped:
            return "over-budget", _next_month(now)
        return "rate-limited", max(exc.reset_at or now + UNKNOWN_RESET, now + timedelta(seconds=1))
    if isinstance(exc, OverBudget):
        return "over-budget", _next_month(now)
    if isinstance(exc, Transient):
        return "backoff", now + min(BACKOFF_START * 2 ** (failures - 1), BACKOFF_MAX)
    if isinstance(exc, Failed):
        return "failed", now + AFTER_FAILURE
    return "failed", now + AFTER_FAILURE


def _month(now: datetime) -> str:
    return f"{now.year:04d}-{now.month:02d}"


def _next_month(now: datetime) -> datetime:
    return datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)


def _newest(batch: Batch) -> datetime | None:
    times = []
    for event in batch.events:
        if event.get("type") != "retract" and isinstance(event.get("at"), str):
            try:
                times.append(parse_time(event["at"]))
            except ValueError:
                continue
    return max(times) if times else None


def _add_spend(session: Session, platform: str, month: str, cost: Cost, micro: int) -> None:
    """Add to the month's spend (an upsert: sources of one platform may poll in parallel)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ConnectorSpend.__table__
    stmt = insert(table).values(
        platform=platform, month=month, requests=1, posts=cost.posts, users=cost.users, micro_usd=micro
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["platform", "month"],
        set_={
            "requests": table.c.requests + 1,
            "posts": table.c.posts + cost.posts,
            "users": table.c.users + cost.users,
            "micro_usd": table.c.micro_usd + micro,
        },
    )
    session.execute(stmt)


def _redact(session: Session, event_ids: Sequence[str]) -> None:
    """Remove what a person wrote from events whose post was deleted on the platform."""
    for event_id in event_ids:
        row = session.get(StoredEvent, event_id)
        if row is None:
            continue
        payload = dict(row.payload)
        for key in ("text", "hashtags", "mentions", "links", "sentiment"):
            payload.pop(key, None)
        if isinstance(payload.get("actor"), dict):
            payload["actor"] = {"id": payload["actor"].get("id")}
        payload["attrs"] = {"redacted": "deleted on the platform"}
        session.execute(
            update(StoredEvent).where(StoredEvent.id == event_id).values(payload=payload, sentiment=None)
        )
