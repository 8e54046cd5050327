"""`count: N` + `within: D`: N matching events whose first and last lie at most D apart.

A sliding window over event times (both ends included), so the order events arrive
in does not matter.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import Any

from engine.rules.model import Badge

KIND = "within"


def add(badge: Badge, progress: dict[str, Any], at: datetime, local: datetime) -> bool:
    """Insert the event's time; earned when some N consecutive times fit in the window."""
    times: list[float] | None = progress.get("times")
    if times is None:
        times = progress["times"] = []
    stamp = at.timestamp()
    index = bisect.bisect_right(times, stamp)
    times.insert(index, stamp)
    need, span = badge.count or 1, badge.within.total_seconds() if badge.within else 0.0
    for first in range(max(0, index - need + 1), index + 1):
        last = first + need - 1
        if last < len(times) and times[last] - times[first] <= span:
            return True
    return False


def remove(badge: Badge, progress: dict[str, Any], at: datetime, local: datetime) -> None:
    """Drop the retracted event's time."""
    times: list[float] = progress.setdefault("times", [])
    stamp = at.timestamp()
    index = bisect.bisect_left(times, stamp)
    if index < len(times) and times[index] == stamp:
        times.pop(index)
