"""Calendar arithmetic in a campaign's timezone: recurring windows and period keys."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.rules.model import Window

ALL_TIME = ""


def in_window(window: Window, local: datetime) -> bool:
    """Whether a local time lies on the window's days and inside its hours."""
    if window.days is not None and local.weekday() not in window.days:
        return False
    if window.start_minute is None or window.end_minute is None:
        return True
    minute = local.hour * 60 + local.minute
    if window.start_minute < window.end_minute:
        return window.start_minute <= minute < window.end_minute
    return minute >= window.start_minute or minute < window.end_minute  # wraps midnight


def period_key(per: str | None, local: datetime) -> str:
    """The name of the period a local time falls in: the date of its first day.

    Hours carry their UTC offset, so the repeated hour when clocks go back is two
    periods, not one.
    """
    if per is None or per == "campaign":
        return ALL_TIME
    if per == "hour":
        return local.strftime("%Y-%m-%dT%H%z")
    keys = _DAY_KEYS.get(local.date())
    if keys is None:
        keys = _day_keys(local.date())
    if per == "day":
        return keys[0]
    if per == "week":
        return keys[1]
    if per == "month":
        return keys[2]
    raise ValueError(f"unknown period {per!r}")


# The day, week and month keys of each date met so far: the engine asks for them several
# times per event (caps, boards), and a run's events span few distinct days.
_DAY_KEYS: dict[date, tuple[str, str, str]] = {}


def _day_keys(day: date) -> tuple[str, str, str]:
    keys = (
        day.isoformat(),
        (day - timedelta(days=day.weekday())).isoformat(),
        day.replace(day=1).isoformat(),
    )
    if len(_DAY_KEYS) >= 100_000:  # decades of days: bounded however long the process runs
        _DAY_KEYS.clear()
    _DAY_KEYS[day] = keys
    return keys


def day_key(day: date) -> str:
    """`day.isoformat()`, from the same cache as `period_key`."""
    keys = _DAY_KEYS.get(day)
    return (keys if keys is not None else _day_keys(day))[0]


def period_end(per: str, key: str, tz: ZoneInfo) -> datetime:
    """The instant a day/week/month period ends (the next one's start, exclusive)."""
    first = date.fromisoformat(key)
    if per == "day":
        nxt = first + timedelta(days=1)
    elif per == "week":
        nxt = first + timedelta(days=7)
    elif per == "month":
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        raise ValueError(f"period {per!r} has no end")
    return datetime.combine(nxt, time(), tz)
