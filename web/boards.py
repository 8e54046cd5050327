"""Leaderboard reads behind one small interface: a page, a fan's rank, the fans around them.

Ranks, pages and places come from the process's rank indexes (storage.leaderboards),
kept current from `board_scores` by each batch's `seq`, so no request sorts or counts a
board. Order and ranks are the engine's (engine.leaderboards.boards.standings): more
points first, then whoever got there earlier; ties share a rank (1, 2, 2, 4). Only
positive scores are listed; an erased fan's scores are removed on erasure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.leaderboards.boards import Standing
from storage.leaderboards import BoardIndexes
from storage.linked_profiles import platform_name
from storage.models.core import BadgeGrant, BoardScore, Fan


@dataclass(frozen=True, slots=True)
class Row:
    """One fan listed on a board period."""

    rank: int
    fan: str
    points: int
    name: str
    anonymous: bool
    level: str | None
    # For a social profile not linked to an account: the platform its handle is on, since
    # the same handle can be listed once per platform, and again as the fan who linked it
    # later (the profile keeps the points it earned before the link).
    platform: str | None = None


def anonymous_number(fan_id: str) -> str:
    """The stable number an anonymous fan is shown with ("Anonymous fan #0427")."""
    return f"{int(hashlib.sha256(fan_id.encode()).hexdigest()[:8], 16) % 10000:04d}"


def indexes() -> BoardIndexes:
    """The app's rank indexes (engine.leaderboards.index), made on first use.

    Outside a request (scripts, tests on a bare session) a fresh, unshared set is used:
    correct, just not kept between calls.
    """
    if not has_app_context():
        return BoardIndexes()
    return current_app.extensions.setdefault("board_indexes", BoardIndexes())


def periods(session: Session, board: str) -> list[str]:
    """The periods a board has scores in, newest first ("" is all-time)."""
    query = select(BoardScore.period).where(BoardScore.board == board).distinct()
    return sorted(session.scalars(query), reverse=True)


def count(session: Session, board: str, period: str) -> int:
    """How many fans are listed."""
    return len(indexes().get(session, board, period))


def page(session: Session, board: str, period: str, offset: int, limit: int) -> list[Row]:
    """`limit` listed fans from position `offset` (0-based), with their ranks."""
    return _described(session, indexes().get(session, board, period).page(offset, limit))


def position(session: Session, board: str, period: str, fan_id: str) -> int | None:
    """The fan's 0-based place in the listing, or None when not listed."""
    return indexes().get(session, board, period).position(fan_id)


def rank_of(session: Session, board: str, period: str, fan_id: str) -> Row | None:
    """The fan's row, or None when they have no points on this board period."""
    rows = around(session, board, period, fan_id, reach=0)
    return rows[0] if rows else None


def around(session: Session, board: str, period: str, fan_id: str, reach: int = 2) -> list[Row]:
    """The fan with up to `reach` fans above and below them."""
    return _described(session, indexes().get(session, board, period).around(fan_id, reach, reach))


def search(session: Session, board: str, period: str, text: str, limit: int = 20) -> list[Row]:
    """Listed fans whose display name contains `text`; anonymous fans are never found by name."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(BoardScore.fan_id)
        .join(Fan, Fan.id == BoardScore.fan_id)
        .where(
            BoardScore.board == board,
            BoardScore.period == period,
            BoardScore.points > 0,
            Fan.anonymous.is_(False),
            func.lower(Fan.display_name).like(pattern.lower(), escape="\\"),
        )
        .limit(limit)
    )
    index = indexes().get(session, board, period)
    found = sorted(
        (fan for fan in session.scalars(query) if fan in index), key=lambda f: index.position(f) or 0
    )
    return _described(session, [row for fan in found for row in index.around(fan, 0, 0)])


def _described(session: Session, standings: list[Standing]) -> list[Row]:
    """Standings with the names, anonymity and levels the page shows (one query)."""
    if not standings:
        return []
    query = select(Fan.id, Fan.display_name, Fan.anonymous, Fan.level, Fan.kind).where(
        Fan.id.in_([s.fan for s in standings])
    )
    known = {fan: rest for fan, *rest in session.execute(query)}
    rows = []
    for s in standings:
        name, anonymous, level, kind = known.get(s.fan, (None, False, None, None))
        platform = platform_name(s.fan) if kind == "profile" and name else None
        rows.append(Row(s.rank, s.fan, s.points, name or s.fan, bool(anonymous), level, platform))
    return rows


def badges_of(session: Session, campaign_id: str, fan_ids: list[str]) -> dict[str, list[str]]:
    """The badge ids each of these fans earned in the campaign, in the order earned."""
    if not fan_ids:
        return {}
    query = (
        select(BadgeGrant.fan_id, BadgeGrant.badge_id)
        .where(BadgeGrant.campaign_id == campaign_id, BadgeGrant.fan_id.in_(fan_ids))
        .order_by(BadgeGrant.earned_at, BadgeGrant.seq)
    )
    out: dict[str, list[str]] = {}
    for fan, badge in session.execute(query):
        out.setdefault(fan, []).append(badge)
    return out
