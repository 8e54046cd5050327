"""`count: N`: earned by the N-th matching event in the campaign."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.rules.model import Badge

KIND = "count"


def add(badge: Badge, progress: dict[str, Any], at: datetime, local: datetime) -> bool:
    """Count one more matching event."""
    progress["n"] = progress.get("n", 0) + 1
    return progress["n"] >= (badge.count or 1)


def remove(badge: Badge, progress: dict[str, Any], at: datetime, local: datetime) -> None:
    """A retracted event no longer counts."""
    progress["n"] = max(0, progress.get("n", 0) - 1)
