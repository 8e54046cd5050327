"""Read models over the stored state: fans, boards and ledgers in simulate's JSON shape."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.leaderboards.boards import board_name, standings
from engine.state import Score
from storage.models.core import BadgeGrant, BoardScore, Fan, FanCampaign, LedgerEntry, QuarantinedEvent
from storage.state_store import aware


def db_report(session: Session) -> dict[str, Any]:
    """`fans` and `leaderboards` exactly as `simulate --json` prints them, from the database."""
    return {"fans": _fans(session), "leaderboards": _boards(session)}


def _fans(session: Session) -> dict[str, Any]:
    campaigns: dict[str, dict[str, int]] = defaultdict(dict)
    for row in session.scalars(select(FanCampaign)):
        campaigns[row.fan_id][row.campaign_id] = row.points
    badges: dict[tuple[str, str], list[BadgeGrant]] = defaultdict(list)
    for grant in session.scalars(select(BadgeGrant).order_by(BadgeGrant.earned_at, BadgeGrant.seq)):
        badges[(grant.fan_id, grant.campaign_id)].append(grant)
    out = {}
    for fan in session.scalars(select(Fan)):
        per = {
            cid: {"points": pts, "badges": [g.badge_id for g in badges[(fan.id, cid)]]}
            for cid, pts in campaigns[fan.id].items()
        }
        out[fan.id] = {
            "points": fan.lifetime_points,
            "balance": max(0, fan.lifetime_points - fan.spent_points),
            "level": fan.level,
            "campaigns": per,
        }
    return out


def _boards(session: Session) -> dict[str, Any]:
    grouped: dict[tuple[str, str], list[tuple[str, Score]]] = defaultdict(list)
    for row in session.scalars(select(BoardScore)):
        grouped[(row.board, row.period)].append(
            (row.fan_id, Score(row.points, aware(row.last_at), row.last_event))
        )  # type: ignore[arg-type]
    out = {}
    for (board, period), scores in sorted(grouped.items()):
        rows = standings(scores)
        if rows:
            campaign_id, _, board_id = board.partition("/")
            out[board_name(campaign_id, board_id, period)] = [
                {"rank": r.rank, "fan": r.fan, "points": r.points} for r in rows
            ]
    return out


def fan_ledger(session: Session, fan_id: str) -> list[dict[str, Any]]:
    """Every ledger entry of a fan, in order, with its reason."""
    query = select(LedgerEntry).where(LedgerEntry.fan_id == fan_id).order_by(LedgerEntry.seq)
    out = []
    for row in session.scalars(query):
        kind, _, name = row.source.partition(":")
        out.append(
            {
                "event": row.event_id,
                "campaign": row.campaign_id,
                kind: name,
                "points": row.points,
                "at": aware(row.at).isoformat(),
                "note": row.note,
            }
        )  # type: ignore[union-attr]
    return out


def quarantine(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """The newest quarantined inputs with their reasons."""
    query = select(QuarantinedEvent).order_by(QuarantinedEvent.id.desc()).limit(limit)
    return [
        {"source": q.source, "line": q.line, "error": q.error, "raw": q.raw} for q in session.scalars(query)
    ]


def board_periods(session: Session, board: str) -> list[str]:
    """The periods a board has scores in, newest first ("" is all-time)."""
    query = select(BoardScore.period).where(BoardScore.board == board).distinct()
    return sorted(session.scalars(query), reverse=True)
