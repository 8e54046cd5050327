"""The Earn API's redemptions: a partner redeems its own rewards for a fan and confirms delivery.

The spending itself is storage/redemptions.py, the one service the fan's page uses too.
A partner may redeem only rewards the catalog gives to it (`partner: <its slug>`);
the programme's own rewards (no `partner`) are redeemed by fans on their page. Live
keys only: sandbox test fans have no balance to spend.
"""

from __future__ import annotations

from typing import Any

from engine.rules.model import CampaignSet, Reward
from loyalty.earn import ApiError, FanRef, Fields, fan_ref
from loyalty.keys import KeyOwner
from storage.redemptions import DELIVERED, REQUESTED, Outcome


def parse_redemption(body: Any) -> tuple[FanRef, str]:
    """A redemption body: `fan` and `reward` (a reward id of the catalog)."""
    fields = Fields(body)
    fields.known = frozenset({"fan", "reward"})
    fan, reward = fan_ref(fields), fields.text("reward", limit=100)
    fields.check()
    return fan, reward  # type: ignore[return-value]


def live_only(owner: KeyOwner) -> None:
    """Refuse sandbox keys: redemptions spend real balances."""
    if owner.mode != "live":
        raise ApiError(403, "live_key_required", "redemptions spend real balances: use a live key")


def own_reward(campaigns: CampaignSet, owner: KeyOwner, reward_id: str) -> Reward:
    """The catalog's reward, if it is this partner's to hand out."""
    reward = next((r for r in campaigns.rewards if r.id == reward_id), None)
    if reward is None:
        raise ApiError(404, "reward_not_found", f"no reward {reward_id!r} in the catalog")
    if reward.partner != owner.partner_slug:
        raise ApiError(403, "not_your_reward", f"the reward {reward_id!r} is not handed out by you")
    return reward


def refused(outcome: Outcome) -> ApiError:
    """The error for a refused redemption: `not_enough_points`, `out_of_stock` or `limit_reached`."""
    return ApiError(409, outcome.refusal_kind, outcome.reason)


def answer(outcome: Outcome, fan: str) -> dict[str, Any]:
    """The answer to a done redemption."""
    return {
        "id": outcome.redemption_id,
        "fan": fan,
        "reward": outcome.reward,
        "cost": outcome.cost,
        "status": REQUESTED,
        "balance": outcome.balance,
    }


def status_filter(raw: str | None) -> str | None:
    """The `status` query parameter: requested, delivered, or none."""
    if raw in (None, ""):
        return None
    if raw not in (REQUESTED, DELIVERED):
        raise ApiError(422, "invalid_request", "status is requested or delivered")
    return raw
