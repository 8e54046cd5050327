"""Leaderboard reads behind one small interface: a page, a fan's rank, the fans around them.

Each function answers from indexed queries on `board_scores` (board, period, points), so
no request sorts a whole board. A faster rank index can replace this module by keeping
these signatures. Order and ranks are the engine's (engine.leaderboards.boards.standings):
more points first, then whoever got there earlier; ties share a rank (1, 2, 2, 4).
Only positive scores are listed; a deleted fan's scores are removed on erasure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

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


def anonymous_number(fan_id: str) -> str:
    """The stable number an anonymous fan is shown with ("Anonymous fan #0427")."""
    return f"{int(hashlib.sha256(fan_id.encode()).hexdigest()[:8], 16) % 10000:04d}"


def _listed(board: str, period: str):  # type: ignore[no-untyped-def]
    return and_(BoardScore.board == board, BoardScore.period == period, BoardScore.points > 0)


_ORDER = (BoardScore.points.desc(), BoardScore.last_at, BoardScore.last_event, BoardScore.fan_id)


def periods(session: Session, board: str) -> list[str]:
    """The periods a board has scores in, newest first ("" is all-time)."""
    query = select(BoardScore.period).where(BoardScore.board == board).distinct()
    return sorted(session.scalars(query), reverse=True)


def count(session: Session, board: str, period: str) -> int:
    """How many fans are listed."""
    return session.scalar(select(func.count()).where(_listed(board, period))) or 0


def page(session: Session, board: str, period: str, offset: int, limit: int) -> list[Row]:
    """`limit` listed fans from position `offset` (0-based), with their ranks."""
    query = (
        select(BoardScore.fan_id, BoardScore.points, Fan.display_name, Fan.anonymous, Fan.level)
        .join(Fan, Fan.id == BoardScore.fan_id, isouter=True)
        .where(_listed(board, period))
        .order_by(*_ORDER)
        .offset(offset)
        .limit(limit)
    )
    rows: list[Row] = []
    for index, (fan, points, name, anonymous, level) in enumerate(session.execute(query)):
        if rows and rows[-1].points == points:
            rank = rows[-1].rank
        elif rows:
            rank = offset + index + 1
        else:
            rank = _rank_for(session, board, period, points)
        rows.append(Row(rank, fan, points, name or fan, bool(anonymous), level))
    return rows


def _rank_for(session: Session, board: str, period: str, points: int) -> int:
    ahead = select(func.count()).where(_listed(board, period), BoardScore.points > points)
    return 1 + (session.scalar(ahead) or 0)


def position(session: Session, board: str, period: str, fan_id: str) -> int | None:
    """The fan's 0-based place in the listing, or None when not listed.

    Two index range counts (more points; the same points but earlier) rather than one
    OR-ed condition, which no index serves.
    """
    mine = session.get(BoardScore, (board, period, fan_id))
    if mine is None or mine.points <= 0:
        return None
    ahead = session.scalar(
        select(func.count()).where(_listed(board, period), BoardScore.points > mine.points)
    )
    earlier = or_(
        BoardScore.last_at < mine.last_at,
        and_(
            BoardScore.last_at == mine.last_at,
            or_(
                BoardScore.last_event < mine.last_event,
                and_(BoardScore.last_event == mine.last_event, BoardScore.fan_id < fan_id),
            ),
        ),
    )
    tied = select(func.count()).where(
        BoardScore.board == board, BoardScore.period == period, BoardScore.points == mine.points, earlier
    )
    return (ahead or 0) + (session.scalar(tied) or 0)


def rank_of(session: Session, board: str, period: str, fan_id: str) -> Row | None:
    """The fan's row, or None when they have no points on this board period."""
    place = position(session, board, period, fan_id)
    return None if place is None else page(session, board, period, place, 1)[0]


def around(session: Session, board: str, period: str, fan_id: str, reach: int = 2) -> list[Row]:
    """The fan with up to `reach` fans above and below them."""
    place = position(session, board, period, fan_id)
    if place is None:
        return []
    start = max(0, place - reach)
    return page(session, board, period, start, place - start + reach + 1)


def search(session: Session, board: str, period: str, text: str, limit: int = 20) -> list[Row]:
    """Listed fans whose display name contains `text`; anonymous fans are never found by name."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(BoardScore.fan_id, BoardScore.points, Fan.display_name, Fan.level)
        .join(Fan, Fan.id == BoardScore.fan_id)
        .where(
            _listed(board, period),
            Fan.anonymous.is_(False),
            func.lower(Fan.display_name).like(pattern.lower(), escape="\\"),
        )
        .order_by(*_ORDER)
        .limit(limit)
    )
    return [
        Row(_rank_for(session, board, period, points), fan, points, name or fan, False, level)
        for fan, points, name, level in session.execute(query)
    ]


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
