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
    day = local.date()
    if per == "day":
        return day.isoformat()
    if per == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    if per == "month":
        return day.replace(day=1).isoformat()
    if per == "hour":
        return local.strftime("%Y-%m-%dT%H%z")
    raise ValueError(f"unknown period {per!r}")


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
