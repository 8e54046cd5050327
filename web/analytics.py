"""Per-campaign figures from the ledger: events, points and fans per rule per day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models.core import LedgerEntry


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One rule (or challenge) on one day (UTC)."""

    day: str
    source: str
    events: int
    points: int
    fans: int


@dataclass(frozen=True, slots=True)
class SourceTotals:
    """One rule over the whole window: does this activity work?"""

    source: str
    events: int
    points: int
    fans: int
    share: float  # of all points awarded in the window

    @property
    def points_per_event(self) -> float:
        """Average points one matching event earned."""
        return self.points / self.events if self.events else 0.0


def daily(session: Session, campaign_id: str, since: datetime, until: datetime) -> list[DayFigures]:
    """Scoring entries (reversals included, refusals not) grouped by UTC day and source."""
    day = _utc_day(session)
    query = (
        select(
            day,
            LedgerEntry.source,
            func.count(func.distinct(LedgerEntry.event_id)),
            func.sum(LedgerEntry.points),
            func.count(func.distinct(LedgerEntry.fan_id)),
        )
        .where(
            LedgerEntry.campaign_id == campaign_id,
            LedgerEntry.at >= since,
            LedgerEntry.at <= until,
            LedgerEntry.points != 0,
        )
        .group_by(day, LedgerEntry.source)
        .order_by(day, LedgerEntry.source)
    )
    return [DayFigures(str(d), s, e, int(p or 0), f) for d, s, e, p, f in session.execute(query)]


def _utc_day(session: Session):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", LedgerEntry.at))
    return func.date(LedgerEntry.at)  # SQLite keeps UTC times as text


def totals(session: Session, campaign_id: str, since: datetime, until: datetime) -> list[SourceTotals]:
    """Each source's events, points and distinct fans over the window, most points first."""
    query = (
        select(
            LedgerEntry.source,
            func.count(func.distinct(LedgerEntry.event_id)),
            func.sum(LedgerEntry.points),
            func.count(func.distinct(LedgerEntry.fan_id)),
        )
        .where(
            LedgerEntry.campaign_id == campaign_id,
            LedgerEntry.at >= since,
            LedgerEntry.at <= until,
            LedgerEntry.points != 0,
        )
        .group_by(LedgerEntry.source)
    )
    rows = [(s, e, int(p or 0), f) for s, e, p, f in session.execute(query)]
    whole = sum(p for _, _, p, _ in rows) or 1
    out = [SourceTotals(s, e, p, f, p / whole) for s, e, p, f in rows]
    return sorted(out, key=lambda t: (-t.points, t.source))


def days_between(since: datetime, until: datetime) -> list[str]:
    """Every UTC day of the window, as ISO dates."""
    first, last = since.date(), until.date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def series(figures: list[DayFigures], days: list[str], measure: str) -> dict[str, tuple[int, ...]]:
    """Per source, the `measure` ("events", "points", "fans") on each day (0 when nothing)."""
    grid: dict[str, dict[str, int]] = defaultdict(dict)
    for row in figures:
        grid[row.source][row.day] = getattr(row, measure)
    return {source: tuple(per.get(d, 0) for d in days) for source, per in sorted(grid.items())}


def parse_day(text: str | None, default: date) -> date:
    """An ISO date from a query string, or the default when missing or malformed."""
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default
