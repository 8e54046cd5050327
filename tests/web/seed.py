"""Rows for web tests: fans with board scores, written straight to the tables."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from storage.models.core import BadgeGrant, BoardScore, Fan

BOARD = "acme-autumn/all-time"
T0 = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)


_writes = itertools.count(1)


def add_fan(
    session: Session,
    fan_id: str,
    name: str | None,
    points: int,
    *,
    minutes: int = 0,
    anonymous: bool = False,
    level: str | None = None,
    board: str = BOARD,
    period: str = "",
) -> None:
    """A fan with `points` on one board period, whose score last changed `minutes` after T0."""
    if session.get(Fan, fan_id) is None:
        session.add(
            Fan(
                id=fan_id,
                kind="account",
                display_name=name,
                anonymous=anonymous,
                lifetime_points=points,
                level=level,
                created_at=T0,
            )
        )
    at = T0 + timedelta(minutes=minutes)
    session.add(
        BoardScore(
            board=board,
            period=period,
            fan_id=fan_id,
            points=points,
            last_at=at,
            last_event=f"e-{fan_id}",
            seq=next(_writes),  # as ingestion does: rank indexes catch up by this mark
        )
    )


def grant(session: Session, fan_id: str, badge: str, seq: int, campaign: str = "acme-autumn") -> None:
    """A badge earned `seq` minutes after T0."""
    at = T0 + timedelta(minutes=seq)
    session.add(BadgeGrant(fan_id=fan_id, campaign_id=campaign, badge_id=badge, earned_at=at, seq=seq))
