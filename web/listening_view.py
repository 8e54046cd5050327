"""What the brand-listening page shows: the days, their charts, and why a day is a negative spike."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from monitoring.config import ListeningConfig
from monitoring.listening import DayFigures, Listening, daily, listen

PERIODS = (7, 14, 28, 90)


@dataclass(frozen=True, slots=True)
class SpikeNote:
    """Why a day was flagged: its negatives against the mean and threshold of the days before."""

    day: date
    negative: int
    days_before: int
    mean: float
    threshold: float  # mean + sigmas * standard deviation of the days before
    minimum: int


@dataclass(frozen=True, slots=True)
class ListeningPage:
    """The figures of one campaign ('' = all) over some days, with every spike explained."""

    listening: Listening
    notes: tuple[SpikeNote, ...]

    @property
    def labels(self) -> list[str]:
        """Each day as an ISO date, for charts and tables."""
        return [d.day.isoformat() for d in self.listening.days]

    @property
    def spike_positions(self) -> tuple[int, ...]:
        """Where the spike days sit among the days."""
        return tuple(i for i, d in enumerate(self.listening.days) if d.spike)

    def series(self, measure: str) -> tuple[int, ...]:
        """One measure ("mentions", "positive", "neutral", "negative") per day."""
        return tuple(getattr(d, measure) for d in self.listening.days)


def load(session: Session, last: date, campaign: str, days: int, config: ListeningConfig) -> ListeningPage:
    """Listening figures for `days` days up to `last`, and the reasons for each spike among them."""
    result = listen(session, last, campaign=campaign, days=days, config=config)
    spikes = result.spikes
    if not spikes:
        return ListeningPage(result, ())
    first = last - timedelta(days=days - 1)
    with_lead = daily(session, campaign, first - timedelta(days=config.spike_days), last, config)
    return ListeningPage(result, tuple(explain(with_lead, d, config) for d in spikes))


def explain(days: list[DayFigures], spike: DayFigures, config: ListeningConfig) -> SpikeNote:
    """The trailing mean and the threshold a spike day's negatives exceeded."""
    index = next(i for i, d in enumerate(days) if d.day == spike.day)
    trailing = [d.negative for d in days[max(0, index - config.spike_days) : index]]
    mean = statistics.fmean(trailing) if trailing else 0.0
    deviation = statistics.pstdev(trailing) if trailing else 0.0
    return SpikeNote(
        spike.day,
        spike.negative,
        len(trailing),
        mean,
        mean + config.spike_sigmas * deviation,
        config.spike_min,
    )


def period(text: str | None) -> int:
    """A number of days offered by the page (14 when missing or not offered)."""
    return int(text) if text and text.isdigit() and int(text) in PERIODS else 14
