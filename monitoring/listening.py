"""Brand listening: per campaign and overall, per day — volume, mood, top authors, hashtags, topics.

Figures come from the daily aggregates `monitoring.aggregate.update` maintains, so a
query reads one row per day (and the terms of the days asked for), never the events.

Negative spike (a simple detector, documented in docs/monitoring.md): a day is flagged
when its negative mentions exceed the mean of the `spike_days` days before it by more
than `spike_sigmas` standard deviations (population standard deviation; days without
mentions count as 0) and number at least `spike_min`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitoring.config import ListeningConfig
from storage.models.monitoring import ListeningDay, ListeningTerm

DEFAULTS = ListeningConfig()


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One day's mentions: volume, shares of positive and negative, and whether negatives spiked."""

    day: date
    mentions: int
    positive: int
    neutral: int
    negative: int
    spike: bool = False

    @property
    def positive_share(self) -> float:
        """Positive mentions / mentions (0 without mentions)."""
        return self.positive / self.mentions if self.mentions else 0.0

    @property
    def negative_share(self) -> float:
        """Negative mentions / mentions (0 without mentions)."""
        return self.negative / self.mentions if self.mentions else 0.0


@dataclass(frozen=True, slots=True)
class TermCount:
    """An author, hashtag or topic and how often it appeared."""

    term: str
    count: int


@dataclass(frozen=True, slots=True)
class Listening:
    """Everything the listening view shows for one campaign ('' = all) over some days."""

    campaign: str
    days: tuple[DayFigures, ...]
    top_authors: tuple[TermCount, ...]
    top_hashtags: tuple[TermCount, ...]
    top_topics: tuple[TermCount, ...]

    @property
    def spikes(self) -> tuple[DayFigures, ...]:
        """The days whose negative mentions spiked."""
        return tuple(d for d in self.days if d.spike)


def daily(
    session: Session, campaign: str, first: date, last: date, config: ListeningConfig = DEFAULTS
) -> list[DayFigures]:
    """Every day from `first` to `last` (days without mentions as zeros), spikes flagged."""
    lead = first - timedelta(days=config.spike_days)
    rows = session.execute(
        select(ListeningDay).where(
            ListeningDay.campaign == campaign, ListeningDay.day >= lead, ListeningDay.day <= last
        )
    ).scalars()
    found = {r.day: r for r in rows}
    span = (last - lead).days + 1
    all_days = []
    for offset in range(span):
        day = lead + timedelta(days=offset)
        row = found.get(day)
        all_days.append(
            DayFigures(day, row.mentions, row.positive, row.neutral, row.negative)
            if row
            else DayFigures(day, 0, 0, 0, 0)
        )
    negatives = [d.negative for d in all_days]
    lead_days = config.spike_days
    return [
        _with_spike(d, negatives[i - lead_days : i], config) for i, d in enumerate(all_days) if i >= lead_days
    ]


def is_spike(today: int, trailing: list[int], config: ListeningConfig) -> bool:
    """Today's negatives > mean + sigmas * std of the trailing days, and at least `spike_min`."""
    if today < config.spike_min or not trailing:
        return False
    mean = statistics.fmean(trailing)
    return today > mean + config.spike_sigmas * statistics.pstdev(trailing)


def _with_spike(day: DayFigures, trailing: list[int], config: ListeningConfig) -> DayFigures:
    if not is_spike(day.negative, trailing, config):
        return day
    return DayFigures(day.day, day.mentions, day.positive, day.neutral, day.negative, spike=True)


def top_terms(
    session: Session, campaign: str, kind: str, first: date, last: date, limit: int = 10
) -> list[TermCount]:
    """The most frequent authors, hashtags or topics in a campaign's mentions between two days."""
    total = func.sum(ListeningTerm.count)
    rows = session.execute(
        select(ListeningTerm.term, total)
        .where(
            ListeningTerm.campaign == campaign,
            ListeningTerm.kind == kind,
            ListeningTerm.day >= first,
            ListeningTerm.day <= last,
        )
        .group_by(ListeningTerm.term)
        .having(total > 0)
        .order_by(total.desc(), ListeningTerm.term)
        .limit(limit)
    ).all()
    return [TermCount(term, int(count)) for term, count in rows]


def listen(
    session: Session,
    last: date,
    *,
    campaign: str = "",
    days: int = 14,
    config: ListeningConfig = DEFAULTS,
    limit: int = 10,
) -> Listening:
    """The listening figures for `days` days up to `last`, for one campaign or all ('')."""
    first = last - timedelta(days=days - 1)
    return Listening(
        campaign,
        tuple(daily(session, campaign, first, last, config)),
        tuple(top_terms(session, campaign, "author", first, last, limit)),
        tuple(top_terms(session, campaign, "hashtag", first, last, limit)),
        tuple(top_terms(session, campaign, "topic", first, last, limit)),
    )
