"""Whether a fan may redeem a reward, and which rewards suit a fan's interests.

These rules give the reason a redemption is refused. The store enforces the same
limits again with guarded writes, so that concurrent redemptions cannot pass them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.rules.model import Reward

OUT_OF_STOCK, LIMIT_REACHED, NOT_ENOUGH_POINTS = "out_of_stock", "limit_reached", "not_enough_points"


@dataclass(frozen=True, slots=True)
class Holding:
    """What bears on one redemption: the fan's balance and how many were redeemed already."""

    balance: int
    by_fan: int  # this reward, by this fan
    total: int  # this reward, by everyone


def balance(lifetime_points: int, spent_points: int) -> int:
    """Points earned minus points spent, never below zero."""
    return max(0, lifetime_points - spent_points)


def refusal(reward: Reward, holding: Holding) -> str:
    """Why the fan may not redeem the reward now, or "" when they may."""
    if reward.stock is not None and holding.total >= reward.stock:
        return "out of stock"
    if reward.per_fan is not None and holding.by_fan >= reward.per_fan:
        return f"limit of {reward.per_fan} per fan reached"
    if holding.balance < reward.cost:
        return f"balance {holding.balance} is less than the cost {reward.cost}"
    return ""


def refusal_kind(reason: str) -> str:
    """Which limit a reason given by `refusal` names: out of stock, per-fan limit, or balance."""
    if reason == "out of stock":
        return OUT_OF_STOCK
    if reason.startswith("limit of "):
        return LIMIT_REACHED
    return NOT_ENOUGH_POINTS


def for_interests(rewards: Iterable[Reward], interests: Iterable[str]) -> list[Reward]:
    """Rewards sharing a tag with the fan's interests, most shared tags first (ties: catalog order)."""
    wanted = {tag.casefold() for tag in interests}
    scored = [(len(wanted & {t.casefold() for t in r.tags}), i, r) for i, r in enumerate(rewards)]
    return [r for shared, _, r in sorted(scored, key=lambda item: (-item[0], item[1])) if shared]
