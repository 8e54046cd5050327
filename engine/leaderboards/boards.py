"""Leaderboard scores as the ledger changes them, and boards listed in rank order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.rules.model import Leaderboard
from engine.rules.timing import ALL_TIME, period_key
from engine.state import EngineState, Entry, Score


@dataclass(frozen=True, slots=True)
class Standing:
    """One listed fan on a board period."""

    rank: int
    fan: str
    points: int
    last_at: datetime
    last_event: str


def board_name(campaign_id: str, board_id: str, period: str) -> str:
    """`endviolence/all-time` or `endviolence/weekly/2026-11-16`, as simulate names boards."""
    return f"{campaign_id}/{board_id}/{period}" if period else f"{campaign_id}/{board_id}"


def post_to_boards(
    state: EngineState, boards: tuple[tuple[Leaderboard, str], ...], entry: Entry, local: datetime
) -> None:
    """Add a ledger entry's points to every board of its campaign (`(board, "campaign/board")`
    pairs, named once per campaign), in the board's own period."""
    every, fan, at, event_id = state.scores, entry.fan, entry.at, entry.event_id
    for board, name in boards:
        key = (name, ALL_TIME if board.period is None else period_key(board.period, local))
        scores = every.get(key)
        if scores is None:
            scores = every[key] = {}
        score = scores.get(fan)
        if score is None:
            scores[fan] = Score(entry.points, at, event_id)
        else:
            score.points += entry.points
            if at > score.last_at or (at == score.last_at and event_id > score.last_event):
                score.last_at, score.last_event = at, event_id
        if state.tracking:
            state.dirty.scores.add((name, key[1], entry.fan))


def standings(scores: Iterable[tuple[str, Score]]) -> list[Standing]:
    """Fans with a positive score, best first; standard competition ranks (1, 2, 2, 4).

    Among equal scores the one whose score last changed earlier comes first (then
    by event id), which is also the order the rank ties are listed in.
    """
    listed = sorted(
        ((fan, s) for fan, s in scores if s.points > 0),
        key=lambda item: (-item[1].points, item[1].last_at, item[1].last_event, item[0]),
    )
    rows: list[Standing] = []
    for index, (fan, score) in enumerate(listed):
        rank = rows[-1].rank if rows and rows[-1].points == score.points else index + 1
        rows.append(Standing(rank, fan, score.points, score.last_at, score.last_event))
    return rows
