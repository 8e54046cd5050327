"""A fan's data in the engine's tables: handed out whole, or erased keeping the totals right.

Erasing turns the fan (and every social profile that stood for them) into a tombstone:
a new random id with no name, to which the ledger rows, campaign points, badges and
challenge wins move, so the sums of the ledger and of all fans' points stay the same
and winners already counted stay counted. Linked profiles, rule progress, caps and
board scores are deleted (the fan leaves every board); their events keep their ids (so
the same post can never be awarded twice) but lose the actor, the text and the profile.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage.leaderboards import bump_epoch
from storage.models.core import (
    BadgeGrant,
    BadgeProgress,
    BoardScore,
    CapCounter,
    ChallengeSolver,
    Fan,
    FanCampaign,
    LedgerEntry,
    LinkedProfile,
    QuarantinedEvent,
    StoredEvent,
)
from storage.report import fan_ledger

if TYPE_CHECKING:
    from accounts.privacy import Subject

ERASED = "erased"
# Event attributes that say nothing about the person and keep the ledger explainable.
KEPT_ATTRS = ("challenge", "amount", "retracts", "partner")


def _profiles(session: Session, fan_id: str) -> list[str]:
    query = select(LinkedProfile.profile_key).where(LinkedProfile.fan_id == fan_id).distinct()
    return list(session.scalars(query))


def export_fan(session: Session, subject: Subject) -> dict[str, Any]:
    """The fan account, points per campaign, ledger, badges, board scores, profiles and events."""
    if subject.fan_id is None:
        return {}
    fan = session.get(Fan, subject.fan_id)
    if fan is None:
        return {}
    ids = [fan.id, *_profiles(session, fan.id)]
    return {
        "fan": {
            "id": fan.id,
            "display_name": fan.display_name,
            "anonymous": fan.anonymous,
            "lifetime_points": fan.lifetime_points,
            "spent_points": fan.spent_points,
            "balance": max(0, fan.lifetime_points - fan.spent_points),
            "level": fan.level,
        },
        "campaigns": {
            row.campaign_id: row.points
            for row in session.scalars(select(FanCampaign).where(FanCampaign.fan_id == fan.id))
        },
        "ledger": fan_ledger(session, fan.id),
        "badges": [
            {"campaign": g.campaign_id, "badge": g.badge_id, "earned_at": g.earned_at.isoformat()}
            for g in session.scalars(select(BadgeGrant).where(BadgeGrant.fan_id == fan.id))
        ],
        "leaderboards": [
            {"board": s.board, "period": s.period, "points": s.points}
            for s in session.scalars(select(BoardScore).where(BoardScore.fan_id == fan.id))
        ],
        "linked_profiles": [
            {
                "profile": p.profile_key,
                "linked_at": p.linked_at.isoformat(),
                "unlinked_at": p.unlinked_at.isoformat() if p.unlinked_at else None,
            }
            for p in session.scalars(select(LinkedProfile).where(LinkedProfile.fan_id == fan.id))
        ],
        "events": [
            e.payload
            for e in session.scalars(
                select(StoredEvent)
                .where(or_(StoredEvent.fan_id.in_(ids), StoredEvent.profile_key.in_(ids)))
                .order_by(StoredEvent.seq)
            )
        ],
    }


def erase_fan(session: Session, subject: Subject) -> None:
    """Tombstone the fan and each profile that stood for them; see the module's docstring."""
    if subject.fan_id is None or session.get(Fan, subject.fan_id) is None:
        return
    profiles = _profiles(session, subject.fan_id)
    session.execute(delete(LinkedProfile).where(LinkedProfile.fan_id == subject.fan_id))
    for old in (subject.fan_id, *profiles):
        if session.get(Fan, old) is not None:
            tombstone(session, old)
    for profile in profiles:  # events of a profile attributed to nobody in particular
        _scrub_events(session, StoredEvent.profile_key == profile, None)


def tombstone(session: Session, old: str) -> str:
    """Move `old`'s totals to a new nameless id and delete what identified them."""
    fan = session.get(Fan, old)
    assert fan is not None
    new = f"{ERASED}-{secrets.token_hex(8)}"
    session.add(
        Fan(
            id=new,
            kind=ERASED,
            display_name=None,
            anonymous=True,
            lifetime_points=fan.lifetime_points,
            spent_points=fan.spent_points,
            level=fan.level,
            level_at=fan.level_at,
            created_at=fan.created_at,
        )
    )
    session.flush()
    for table in (LedgerEntry, FanCampaign, BadgeGrant, ChallengeSolver):
        session.execute(update(table).where(table.fan_id == old).values(fan_id=new))
    for table in (BadgeProgress, CapCounter, BoardScore):
        session.execute(delete(table).where(table.fan_id == old))
    bump_epoch(session)  # rank indexes in every process drop the deleted board rows
    session.execute(delete(QuarantinedEvent).where(QuarantinedEvent.raw.contains(f'"{old}"')))
    _scrub_events(session, StoredEvent.fan_id == old, new)
    session.delete(fan)
    session.flush()
    return new


def _scrub_events(session: Session, where: Any, new_fan: str | None) -> None:
    for event in session.scalars(select(StoredEvent).where(where)):
        payload = event.payload
        attrs = {k: v for k, v in (payload.get("attrs") or {}).items() if k in KEPT_ATTRS}
        scrubbed = {k: payload[k] for k in ("id", "platform", "type", "at") if k in payload}
        scrubbed["attrs"] = attrs
        if new_fan is not None:
            scrubbed["fan"] = new_fan
            event.fan_id = new_fan
        elif event.fan_id == event.profile_key:
            event.fan_id = None
        event.payload = scrubbed
        event.profile_key = None
