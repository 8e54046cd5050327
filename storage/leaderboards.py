"""Stored boards read through rank indexes: fast ranks, pages and "around me" for the web and CLI.

`BoardIndexes` keeps one `RankIndex` per board period in the process, built from
`board_scores` on first use and brought up to date on every read with the rows
changed since (each row carries the `seq` of the batch that last wrote it, and an
index over (board, period, seq) makes "nothing changed" one index probe). Ranking
never sorts a whole board per request.

Ingestion is the only writer of board scores and runs one batch at a time, so seq
order is commit order and a watermark never skips a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.leaderboards.boards import Standing
from engine.leaderboards.index import RankIndex
from storage.models.core import BoardScore, Fan
from storage.models.gamification import BoardEpoch
from storage.state_store import aware


@dataclass
class _Cached:
    index: RankIndex
    seq: int
    lock: Lock = field(default_factory=Lock)


class BoardIndexes:
    """Rank indexes of stored board periods, shared by a process's threads."""

    def __init__(self) -> None:
        self._cached: dict[tuple[str, str], _Cached] = {}
        self._lock = Lock()
        self._epoch = 0

    def get(self, session: Session, board: str, period: str) -> RankIndex:
        """The index of `board` (campaign/board) in `period` ("" all-time), current as of now."""
        epoch = current_epoch(session)
        with self._lock:
            if epoch != self._epoch:  # rows were deleted somewhere: start every index afresh
                self._cached.clear()
                self._epoch = epoch
            cached = self._cached.get((board, period))
            if cached is None:
                cached = self._cached[(board, period)] = _Cached(RankIndex(), -1)
        with cached.lock:
            if cached.seq < 0:
                self._build(session, cached, board, period)
            else:
                self._catch_up(session, cached, board, period)
            return cached.index

    @staticmethod
    def _build(session: Session, cached: _Cached, board: str, period: str) -> None:
        query = select(
            BoardScore.fan_id, BoardScore.points, BoardScore.last_at, BoardScore.last_event, BoardScore.seq
        ).where(BoardScore.board == board, BoardScore.period == period)
        rows = session.execute(query).all()
        cached.index = RankIndex.build((r[0], r[1], aware(r[2]), r[3]) for r in rows)  # type: ignore[misc]
        cached.seq = max((r[4] for r in rows), default=0)

    @staticmethod
    def _catch_up(session: Session, cached: _Cached, board: str, period: str) -> None:
        query = select(
            BoardScore.fan_id, BoardScore.points, BoardScore.last_at, BoardScore.last_event, BoardScore.seq
        ).where(BoardScore.board == board, BoardScore.period == period, BoardScore.seq > cached.seq)
        for fan, points, last_at, last_event, seq in session.execute(query):
            cached.index.set(fan, points, aware(last_at), last_event)  # type: ignore[arg-type]
            cached.seq = max(cached.seq, seq)


def current_epoch(session: Session) -> int:
    """The board epoch (0 before any deletion)."""
    return session.scalar(select(BoardEpoch.value).where(BoardEpoch.id == 1)) or 0


def bump_epoch(session: Session) -> None:
    """Announce that board rows were deleted, in the deleting transaction."""
    row = session.get(BoardEpoch, 1)
    if row is None:
        session.add(BoardEpoch(id=1, value=1))
    else:
        row.value += 1


def page(
    session: Session, indexes: BoardIndexes, board: str, period: str, offset: int, size: int
) -> list[dict[str, Any]]:
    """`size` listed fans from place `offset`, with ranks, display names and levels."""
    return _described(session, indexes.get(session, board, period).page(offset, size))


def around(
    session: Session, indexes: BoardIndexes, board: str, period: str, fan: str, reach: int = 2
) -> list[dict[str, Any]]:
    """The fan with up to `reach` fans listed above and below; empty when the fan is not listed."""
    return _described(session, indexes.get(session, board, period).around(fan, reach, reach))


def search(
    session: Session, indexes: BoardIndexes, board: str, period: str, text: str, limit: int = 200
) -> list[dict[str, Any]]:
    """Listed fans whose id or display name contains `text` (any case), in board order."""
    pattern = f"%{text.casefold()}%"
    query = (
        select(BoardScore.fan_id)
        .join(Fan, Fan.id == BoardScore.fan_id, isouter=True)
        .where(BoardScore.board == board, BoardScore.period == period, BoardScore.points > 0)
        .where(or_(func.lower(BoardScore.fan_id).like(pattern), func.lower(Fan.display_name).like(pattern)))
        .limit(limit)
    )
    index = indexes.get(session, board, period)
    found = [fan for fan in session.scalars(query) if fan in index]
    placed = sorted(found, key=lambda fan: index.position(fan) or 0)
    rows = [row for fan in placed for row in index.around(fan, 0, 0)]
    return _described(session, rows)


def _described(session: Session, rows: list[Standing]) -> list[dict[str, Any]]:
    names: dict[str, tuple[str | None, str | None]] = {}
    if rows:
        query = select(Fan.id, Fan.display_name, Fan.level).where(Fan.id.in_([r.fan for r in rows]))
        names = {fan: (name, level) for fan, name, level in session.execute(query)}
    return [
        {
            "rank": r.rank,
            "fan": r.fan,
            "points": r.points,
            "name": names.get(r.fan, (None, None))[0] or r.fan,
            "level": names.get(r.fan, (None, None))[1],
        }
        for r in rows
    ]
