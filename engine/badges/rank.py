"""`leaderboard` + `rank`: held by every fan at that rank when a board period closes.

A period is closed once the clock is at or past its end; an all-time board closes
when its campaign `ends` (never, without `ends`). Each closed period is judged once.
"""

from __future__ import annotations

from datetime import datetime

from engine.leaderboards.boards import standings
from engine.rules.model import Badge, Campaign, Leaderboard
from engine.rules.timing import ALL_TIME, period_end
from engine.state import EngineState, Grant

KIND = "rank"


def close_periods(state: EngineState, campaign: Campaign, now: datetime) -> None:
    """Grant rank badges for every closed, not yet judged period of the campaign's boards."""
    for board in campaign.leaderboards:
        badges = [b for b in campaign.badges if b.kind == "rank" and b.leaderboard == board.id]
        if not badges:
            continue
        name = f"{campaign.id}/{board.id}"
        for period, end in sorted(_closed(state, campaign, board, name, now), key=lambda item: item[1]):
            _judge(state, campaign, badges, name, period, end)


def _closed(
    state: EngineState, campaign: Campaign, board: Leaderboard, name: str, now: datetime
) -> list[tuple[str, datetime]]:
    out = []
    for key_name, period in state.scores:
        if key_name != name or (name, period) in state.closed:
            continue
        if period == ALL_TIME:
            end = campaign.ends
        else:
            end = period_end(board.period or "day", period, campaign.tz)
        if end is not None and now >= end:
            out.append((period, end))
    return out


def _judge(
    state: EngineState, campaign: Campaign, badges: list[Badge], name: str, period: str, end: datetime
) -> None:
    rows = standings(state.scores.get((name, period), {}).items())
    for badge in badges:
        for row in rows:
            if row.rank == badge.rank and badge.id not in state.grants_of(row.fan, campaign.id):
                state.grant(
                    row.fan, campaign.id, Grant(badge.id, end, None, period or None, state.next_seq())
                )
    state.closed.add((name, period))
    state.dirty.closed.add((name, period))
