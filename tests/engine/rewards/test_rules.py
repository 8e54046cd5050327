"""Redemption rules: stock, per-fan limit and balance, each with its reason."""

from __future__ import annotations

from engine.rewards.rules import Holding, balance, for_interests, refusal, refusal_kind
from engine.rules.model import Reward

MUG = Reward("mug", "Mug", cost=400, stock=40, per_fan=1, tags=("merch",))


def test_a_fan_with_enough_balance_may_redeem_until_a_limit_is_reached() -> None:
    assert refusal(MUG, Holding(balance=400, by_fan=0, total=39)) == ""
    assert refusal(MUG, Holding(balance=399, by_fan=0, total=0)) == "balance 399 is less than the cost 400"
    assert refusal(MUG, Holding(balance=900, by_fan=1, total=0)) == "limit of 1 per fan reached"
    assert refusal(MUG, Holding(balance=900, by_fan=0, total=40)) == "out of stock"
    unlimited = Reward("sticker", "Sticker", cost=0)
    assert refusal(unlimited, Holding(balance=0, by_fan=10**6, total=10**6)) == ""


def test_each_reason_names_its_kind_of_limit() -> None:
    kinds = [
        refusal_kind(refusal(MUG, holding))
        for holding in (Holding(399, 0, 0), Holding(900, 1, 0), Holding(900, 0, 40))
    ]
    assert kinds == ["not_enough_points", "limit_reached", "out_of_stock"]


def test_balance_is_earned_minus_spent_and_never_negative() -> None:
    assert (balance(120, 20), balance(20, 120)) == (100, 0)


def test_rewards_for_interests_rank_by_shared_tags() -> None:
    beans = Reward("beans", "Beans", 250, tags=("beans", "Autumn"))
    cup = Reward("cup", "Cup", 60, tags=("cafe",))
    assert for_interests([MUG, beans, cup], ["autumn", "beans", "merch"]) == [beans, MUG]
    assert for_interests([MUG, beans, cup], []) == []
