"""What a fan shared: their tracked share links (with the clicks counted on them) and the
badges they exported as Open Badges assertions; handed out whole, or deleted.

Both are erased before the engine's tombstone replaces the fan (links refer to the fan's
row). A deleted link no longer redirects, and a deleted assertion no longer verifies:
neither may go on pointing at a person who asked to be forgotten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models.gamification import BadgeAssertion
from storage.models.links import LinkClick, TrackedLink
from storage.state_store import iso

if TYPE_CHECKING:
    from accounts.privacy import Subject


def export_shared(session: Session, subject: Subject) -> dict[str, Any]:
    """Share links (target, campaign, clicks counted) and badge assertions issued."""
    fan = subject.fan_id
    if fan is None:
        return {}
    clicks = (
        select(TrackedLink, func.count(LinkClick.id))
        .outerjoin(LinkClick, LinkClick.code == TrackedLink.code)
        .where(TrackedLink.fan_id == fan)
        .group_by(TrackedLink.code)
        .order_by(TrackedLink.created_at)
    )
    assertions = select(BadgeAssertion).where(BadgeAssertion.fan_id == fan).order_by(BadgeAssertion.issued_on)
    return {
        "share_links": [
            {"campaign": link.campaign_id, "target": link.target_url, "clicks": count}
            for link, count in session.execute(clicks)
        ],
        "badge_assertions": [
            {
                "campaign": a.campaign_id,
                "badge": a.badge_id,
                "recipient": a.identity,
                "issued_on": iso(a.issued_on),
                "revoked": a.revoked,
            }
            for a in session.scalars(assertions)
        ],
    }


def erase_shared(session: Session, subject: Subject) -> None:
    """Delete the fan's share links, their clicks, and the fan's badge assertions."""
    fan = subject.fan_id
    if fan is None:
        return
    codes = select(TrackedLink.code).where(TrackedLink.fan_id == fan)
    session.execute(delete(LinkClick).where(LinkClick.code.in_(codes)))
    session.execute(delete(TrackedLink).where(TrackedLink.fan_id == fan))
    session.execute(delete(BadgeAssertion).where(BadgeAssertion.fan_id == fan))
