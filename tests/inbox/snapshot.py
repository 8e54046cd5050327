"""Everything ingestion decided, as comparable values: two runs over the same events must
give equal snapshots whatever the workers, batches or crashes (processing numbers aside)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.core import (
    BadgeGrant,
    BadgeProgress,
    BoardScore,
    CapCounter,
    ChallengeSolver,
    ClosedPeriod,
    Fan,
    FanCampaign,
    LedgerEntry,
    LinkedProfile,
    StoredEvent,
)


def snapshot(session: Session) -> dict[str, Any]:
    """Ledger, badges, boards, totals, caps, links and stored events, without `seq` numbers."""
    ledger = session.execute(select(LedgerEntry.__table__)).all()
    key_of = {row.seq: row.key for row in ledger}
    return {
        "ledger": sorted(
            (
                r.key,
                r.fan_id,
                r.campaign_id,
                r.source,
                r.points,
                r.at,
                r.note,
                r.cap_key,
                key_of.get(r.reverses),
            )
            for r in ledger
        ),
        "grants": _rows(
            session, BadgeGrant, "fan_id", "campaign_id", "badge_id", "earned_at", "event_id", "period"
        ),
        "progress": sorted(
            (r.fan_id, r.campaign_id, r.badge_id, repr(sorted(r.state.items())))
            for r in session.execute(select(BadgeProgress.__table__))
        ),
        "boards": _rows(session, BoardScore, "board", "period", "fan_id", "points", "last_at", "last_event"),
        "fans": _rows(session, Fan, "id", "kind", "lifetime_points", "level", "level_at"),
        "fan_campaigns": _rows(session, FanCampaign, "fan_id", "campaign_id", "points"),
        "caps": _rows(session, CapCounter, "key", "count", "points"),
        "solvers": _rows(session, ChallengeSolver, "campaign_id", "challenge_id", "fan_id", "event_id"),
        "closed": _rows(session, ClosedPeriod, "board", "period"),
        "links": _rows(
            session, LinkedProfile, "profile_key", "fan_id", "linked_at", "unlinked_at", "link_event_id"
        ),
        "events": sorted(
            (r.id, r.fan_id, tuple(r.campaigns), r.retracted_by, r.sentiment)
            for r in session.execute(select(StoredEvent.__table__))
        ),
    }


def _rows(session: Session, model: type, *columns: str) -> list[tuple[Any, ...]]:
    table = model.__table__  # type: ignore[attr-defined]
    query = select(*(table.c[c] for c in columns))
    return sorted((tuple(row) for row in session.execute(query)), key=repr)
