"""What each fan talks about, and the catalog rewards that match it.

A fan's interests are the hashtags and topics (`monitoring.terms`) of their posts about
the brand, counted by `monitoring.aggregate.update` (retracted posts taken back).
`suggest_rewards` matches them against the catalog's `tags`: a reward scores the
number of times the fan used each of its tags (as a hashtag or a topic), so a fan who
writes about espresso sees the espresso first — personal goodies, not one voucher
for everyone. Rewards without a matching tag are not suggested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.rules.model import Reward
from storage.models.monitoring import FanInterest


@dataclass(frozen=True, slots=True)
class Interest:
    """A hashtag or topic and how often the fan used it."""

    kind: str
    term: str
    count: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A reward for a fan, with the tags that matched and how strongly."""

    reward_id: str
    name: str
    matched: tuple[str, ...]
    weight: int


def interests(session: Session, fan_id: str, limit: int = 20) -> list[Interest]:
    """The fan's most used hashtags and topics, most used first."""
    rows = session.scalars(
        select(FanInterest)
        .where(FanInterest.fan_id == fan_id, FanInterest.count > 0)
        .order_by(FanInterest.count.desc(), FanInterest.kind, FanInterest.term)
        .limit(limit)
    )
    return [Interest(r.kind, r.term, r.count) for r in rows]


def suggest_rewards(
    session: Session, fan_id: str, catalog: Iterable[Reward], limit: int = 3
) -> list[Suggestion]:
    """Catalog rewards whose tags match the fan's interests, best match first."""
    counts: dict[str, int] = {}
    for row in session.scalars(
        select(FanInterest).where(FanInterest.fan_id == fan_id, FanInterest.count > 0)
    ):
        counts[row.term] = counts.get(row.term, 0) + row.count
    suggestions = []
    for reward in catalog:
        matched = tuple(
            t for t in dict.fromkeys(tag.lstrip("#").lower() for tag in reward.tags) if t in counts
        )
        if matched:
            suggestions.append(Suggestion(reward.id, reward.name, matched, sum(counts[t] for t in matched)))
    return sorted(suggestions, key=lambda s: (-s.weight, s.reward_id))[:limit]
