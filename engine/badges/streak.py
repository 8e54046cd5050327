"""`streak: N`: matching events on N consecutive calendar days in the campaign timezone.

Progress keeps how many matching events fell on each local day, so a late event
can close a gap and a retracted one can open it again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from engine.rules.model import Badge
from engine.rules.timing import day_key

ONE_DAY = timedelta(days=1)


KIND = "streak"


def add(badge: Badge, progress: dict[str, Any], at: datetime, local: datetime) -> bool:
    """Mark the event's local day; earned when the run of days through it is long enough."""
    days: dict[str, int] | None = progress.get("days")
    if days is None:
        days = progress["days"] = {}
    day = local.date()
    key = day_key(day)
    days[key] = days.get(key, 0) + 1
    return _run_through(days, day) >= (badge.streak or 1)


def remove(badge: Badge, progress: dict[str, Any], at: datetime, local: datetime) -> None:
    """Unmark the retracted event's day (other events that day still count)."""
    days: dict[str, int] = progress.setdefault("days", {})
    key = local.date().isoformat()
    if days.get(key, 0) <= 1:
        days.pop(key, None)
    else:
        days[key] -= 1


def _run_through(days: dict[str, int], day: date) -> int:
    """Length of the run of consecutive marked days that contains `day`."""
    length, back, forward = 1, day - ONE_DAY, day + ONE_DAY
    while day_key(back) in days:
        length, back = length + 1, back - ONE_DAY
    while day_key(forward) in days:
        length, forward = length + 1, forward + ONE_DAY
    return length
