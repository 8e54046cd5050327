"""What `flask connectors status` shows: per source its last poll, lag, counts, errors and rate budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.registry import Connectors
from storage.models.connectors import ConnectorSource, ConnectorSpend
from storage.state_store import aware


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source's health, ready to print."""

    name: str
    last_poll: datetime | None
    lag: timedelta | None  # now minus the newest activity stored
    fetched: int
    events: int
    errors: int
    last_error: str | None
    next_due: datetime | None
    rate_left: tuple[str, ...]  # "x.mentions 447/450 until 10:15Z"
    notes: tuple[str, ...]


def source_statuses(session: Session, connectors: Connectors, now: datetime) -> list[SourceStatus]:
    """Every configured source, polled or not yet."""
    rows = {r.name: r for r in session.scalars(select(ConnectorSource))}
    out = []
    for name, source in connectors.sources.items():
        row = rows.get(name)
        buckets = (row.rates if row else {}) or {}
        rate_left = tuple(
            f"{b} {buckets[b]['remaining']}/{buckets[b]['limit']}"
            + (f" until {buckets[b]['reset'][11:16]}Z" if buckets[b].get("reset") else "")
            for b in source.endpoints
            if b in buckets
        )
        newest = aware(row.newest_at) if row else None
        out.append(
            SourceStatus(
                name,
                aware(row.last_poll_at) if row else None,
                now - newest if newest else None,
                row.fetched if row else 0,
                row.events if row else 0,
                row.errors if row else 0,
                row.last_error if row else None,
                aware(row.next_due_at) if row else None,
                rate_left,
                tuple(row.notes or ()) if row else (),
            )
        )
    return out


def spend_lines(session: Session, connectors: Connectors, now: datetime) -> list[str]:
    """This month's paid reads per platform against the budget."""
    month = f"{now.year:04d}-{now.month:02d}"
    lines = []
    for platform, pricing in connectors.pricing.items():
        row = session.get(ConnectorSpend, (platform, month))
        spent = (row.micro_usd if row else 0) / 1e6
        budget = f" of ${pricing.monthly_budget}" if pricing.monthly_budget is not None else ""
        reads = (
            f"{row.requests} requests, {row.posts} posts and {row.users} users read"
            if row
            else "nothing read"
        )
        lines.append(f"{platform} spend {month}: ${spent:.3f}{budget} ({reads})")
    return lines


def _ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    seconds = int((now - then).total_seconds())
    return _span(seconds) + " ago" if seconds >= 0 else "in " + _span(-seconds)


def _span(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def format_status(statuses: list[SourceStatus], now: datetime) -> list[str]:
    """Lines for the terminal."""
    lines = []
    for s in statuses:
        lag = _span(int(s.lag.total_seconds())) if s.lag is not None else "-"
        lines.append(
            f"{s.name}: last poll {_ago(s.last_poll, now)}, lag {lag}, {s.fetched} fetched, "
            f"{s.events} events, {s.errors} errors, next {_ago(s.next_due, now) if s.next_due else 'now'}"
        )
        if s.rate_left:
            lines.append("    rate left: " + ", ".join(s.rate_left))
        if s.last_error and s.errors:
            lines.append(f"    last error: {s.last_error}")
        lines += [f"    note: {n}" for n in s.notes]
    return lines
