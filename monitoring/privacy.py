"""What monitoring learnt about a fan: their interests, and the author figures of the
social profiles linked to them (activity, audience, shares, an influencer review);
handed out whole, or deleted.

Erased before the engine's erasure, which unlinks the profiles this needs to find.
Brand-wide figures (listening days and terms) count posts, not people, and stay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from storage.models.core import LinkedProfile
from storage.models.monitoring import (
    Author,
    AuthorDay,
    FanInterest,
    InfluencerFlag,
    InfluencerReview,
    ShareEdge,
)

if TYPE_CHECKING:
    from accounts.privacy import Subject


def _authors(session: Session, fan: str) -> list[Author]:
    profiles = select(LinkedProfile.profile_key).where(LinkedProfile.fan_id == fan)
    query = select(Author).where(or_(Author.profile_key.in_(profiles), Author.profile_key == fan))
    return list(session.scalars(query.order_by(Author.key)))


def export_monitoring(session: Session, subject: Subject) -> dict[str, Any]:
    """Interests by hashtag and topic; per linked profile, its author figures and flag."""
    fan = subject.fan_id
    if fan is None:
        return {}
    interests = (
        select(FanInterest).where(FanInterest.fan_id == fan).order_by(FanInterest.kind, FanInterest.term)
    )
    authors = []
    for author in _authors(session, fan):
        flag = session.get(InfluencerFlag, author.key)
        authors.append(
            {
                "author": author.key,
                "followers": author.followers,
                "posts": session.scalar(
                    select(func.coalesce(func.sum(AuthorDay.posts), 0)).where(AuthorDay.author == author.key)
                ),
                "influencer": None if flag is None else {"status": flag.status, "reasons": flag.reasons},
            }
        )
    return {
        "interests": [{"kind": i.kind, "term": i.term, "count": i.count} for i in session.scalars(interests)],
        "authors": authors,
    }


def erase_monitoring(session: Session, subject: Subject) -> None:
    """Delete the interests and every figure kept about the fan's profiles as authors."""
    fan = subject.fan_id
    if fan is None:
        return
    session.execute(delete(FanInterest).where(FanInterest.fan_id == fan))
    keys = [author.key for author in _authors(session, fan)]
    if not keys:
        return
    session.execute(delete(AuthorDay).where(AuthorDay.author.in_(keys)))
    session.execute(delete(ShareEdge).where(or_(ShareEdge.source.in_(keys), ShareEdge.target.in_(keys))))
    session.execute(delete(InfluencerReview).where(InfluencerReview.author.in_(keys)))
    session.execute(delete(InfluencerFlag).where(InfluencerFlag.author.in_(keys)))
    session.execute(delete(Author).where(Author.key.in_(keys)))
