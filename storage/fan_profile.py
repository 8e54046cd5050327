"""A fan's whole standing as one document: points, balance, level, badges and ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.rules.model import CampaignSet
from storage.models.core import BadgeGrant, Fan, FanCampaign
from storage.redemptions import fan_redemptions
from storage.report import fan_ledger
from storage.state_store import aware


def fan_profile(session: Session, campaigns: CampaignSet | None, fan_id: str) -> dict[str, Any] | None:
    """What `flask fan FAN --json` prints; None when the fan is unknown."""
    fan = session.get(Fan, fan_id)
    if fan is None:
        return None
    level_at = aware(fan.level_at)
    return {
        "fan": fan.id,
        "name": fan.display_name or fan.id,
        "points": fan.lifetime_points,
        "spent": fan.spent_points,
        "balance": max(0, fan.lifetime_points - fan.spent_points),
        "level": fan.level,
        "level_at": level_at.isoformat() if level_at else None,
        "next_level": _next_level(campaigns, fan.lifetime_points),
        "campaigns": {
            row.campaign_id: row.points
            for row in session.scalars(select(FanCampaign).where(FanCampaign.fan_id == fan_id))
        },
        "badges": fan_badges(session, campaigns, fan_id),
        "redemptions": fan_redemptions(session, fan_id),
        "ledger": fan_ledger(session, fan_id),
    }


def fan_badges(session: Session, campaigns: CampaignSet | None, fan_id: str) -> list[dict[str, Any]]:
    """The fan's badges in the order earned, with when, and the event or board period that earned them."""
    query = (
        select(BadgeGrant).where(BadgeGrant.fan_id == fan_id).order_by(BadgeGrant.earned_at, BadgeGrant.seq)
    )
    out = []
    for grant in session.scalars(query):
        campaign = campaigns.campaign(grant.campaign_id) if campaigns else None
        badge = next((b for b in campaign.badges if b.id == grant.badge_id), None) if campaign else None
        out.append(
            {
                "campaign": grant.campaign_id,
                "badge": grant.badge_id,
                "name": badge.name if badge else grant.badge_id,
                "earned_at": aware(grant.earned_at).isoformat(),  # type: ignore[union-attr]
                "event": grant.event_id,
                "period": grant.period,
            }
        )
    return out


def _next_level(campaigns: CampaignSet | None, points: int) -> dict[str, Any] | None:
    ahead = [lvl for lvl in (campaigns.levels if campaigns else ()) if lvl.points > points]
    if not ahead:
        return None
    nxt = min(ahead, key=lambda lvl: lvl.points)
    return {"name": nxt.name, "points": nxt.points, "missing": nxt.points - points}
