"""Redeeming rewards: spend a fan's balance through the ledger, safely under concurrency.

One transaction writes the redemption, its negative ledger entry (source
`reward:<id>`) and the fan's spent points. The limits hold however many requests
race, because each is a guarded write rather than a read followed by a write:

- balance: `UPDATE fans SET spent_points = spent_points + cost WHERE id = :fan AND
  lifetime_points - spent_points >= cost` (it also locks the fan's row, so the
  per-fan count read after it sees every earlier redemption of that fan);
- per fan: counted after that lock;
- stock: `UPDATE reward_counters SET redeemed = redeemed + 1 WHERE redeemed < :stock`.

Locks are always taken fan first, then the reward's counter, so two redemptions
never deadlock. A refused request is recorded with its reason in its own
transaction. A request key makes a retried request redeem once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.rewards.rules import Holding, balance, refusal
from engine.rules.model import CampaignSet, Reward
from storage.db import transaction
from storage.models.core import Fan, LedgerEntry
from storage.models.gamification import Redemption, RewardCounter
from storage.state_store import upsert

DONE, REFUSED = "done", "refused"


class RedemptionError(Exception):
    """A request naming something that does not exist (an unknown reward or fan)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one request: done or refused (why), and the fan's balance after it."""

    status: str
    reason: str
    redemption_id: int
    reward: str
    cost: int
    balance: int

    @property
    def done(self) -> bool:
        return self.status == DONE


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def redeem(
    sessions: sessionmaker[Session],
    campaigns: CampaignSet,
    fan_id: str,
    reward_id: str,
    *,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Redeem one reward for a fan, or record why not. Raises RedemptionError for unknown names."""
    reward = next((r for r in campaigns.rewards if r.id == reward_id), None)
    if reward is None:
        raise RedemptionError(f"no reward {reward_id!r} in the catalog")
    if request_key is not None:
        earlier = _by_key(sessions, request_key)
        if earlier is not None:
            return earlier
    reason = _precheck(sessions, reward, fan_id)
    if reason:
        return _record_refusal(sessions, reward, fan_id, reason, now)
    try:
        with transaction(sessions) as session:
            return _spend(session, reward, fan_id, now, request_key)
    except _Refused as refused:
        return _record_refusal(sessions, reward, fan_id, refused.reason, now)
    except IntegrityError:
        earlier = _by_key(sessions, request_key) if request_key is not None else None
        if earlier is None:
            raise
        return earlier  # the same request raced itself: it redeemed once


def _precheck(sessions: sessionmaker[Session], reward: Reward, fan_id: str) -> str:
    """The reason to refuse as things stand (the guarded writes decide races)."""
    with sessions() as session:
        fan = session.execute(select(Fan.lifetime_points, Fan.spent_points).where(Fan.id == fan_id)).first()
        if fan is None:
            raise RedemptionError(f"no fan {fan_id!r}")
        total = session.scalar(select(RewardCounter.redeemed).where(RewardCounter.reward_id == reward.id))
        return refusal(reward, Holding(balance(*fan), _count(session, reward.id, fan_id), total or 0))


def _spend(session: Session, reward: Reward, fan_id: str, now: datetime, key: str | None) -> Outcome:
    guarded = session.execute(
        update(Fan)
        .where(Fan.id == fan_id, Fan.lifetime_points - Fan.spent_points >= reward.cost)
        .values(spent_points=Fan.spent_points + reward.cost)
    )
    if guarded.rowcount != 1:  # type: ignore[attr-defined]
        raise _Refused(_why(session, reward, fan_id))
    by_fan = _count(session, reward.id, fan_id)
    if reward.per_fan is not None and by_fan >= reward.per_fan:
        raise _Refused(refusal(reward, Holding(reward.cost, by_fan, 0)))
    upsert(session, RewardCounter, [{"reward_id": reward.id, "redeemed": 0}], ("reward_id",))
    counter = update(RewardCounter).where(RewardCounter.reward_id == reward.id)
    if reward.stock is not None:
        counter = counter.where(RewardCounter.redeemed < reward.stock)
    if session.execute(counter.values(redeemed=RewardCounter.redeemed + 1)).rowcount != 1:  # type: ignore[attr-defined]
        raise _Refused("out of stock")
    row = Redemption(
        fan_id=fan_id, reward_id=reward.id, cost=reward.cost, status=DONE, reason="", request_key=key, at=now
    )
    session.add(row)
    session.flush()
    seq = (session.scalar(select(func.max(LedgerEntry.seq))) or 0) + 1
    session.add(
        LedgerEntry(
            seq=seq,
            key=f"redemption:{row.id}|reward",
            event_id=f"redemption:{row.id}",
            fan_id=fan_id,
            campaign_id="",
            source=f"reward:{reward.id}",
            points=-reward.cost,
            at=now,
            note=f"redeemed: {reward.name}",
        )
    )
    fan = session.execute(select(Fan.lifetime_points, Fan.spent_points).where(Fan.id == fan_id)).one()
    return Outcome(DONE, "", row.id, reward.id, reward.cost, balance(*fan))


def _why(session: Session, reward: Reward, fan_id: str) -> str:
    fan = session.execute(select(Fan.lifetime_points, Fan.spent_points).where(Fan.id == fan_id)).first()
    if fan is None:
        raise RedemptionError(f"no fan {fan_id!r}")
    return refusal(reward, Holding(balance(*fan), 0, 0)) or "balance too low"


def _count(session: Session, reward_id: str, fan_id: str) -> int:
    query = select(func.count()).where(
        Redemption.fan_id == fan_id, Redemption.reward_id == reward_id, Redemption.status == DONE
    )
    return int(session.scalar(query) or 0)


def _record_refusal(
    sessions: sessionmaker[Session], reward: Reward, fan_id: str, reason: str, now: datetime
) -> Outcome:
    with transaction(sessions) as session:
        row = Redemption(
            fan_id=fan_id, reward_id=reward.id, cost=reward.cost, status=REFUSED, reason=reason, at=now
        )
        session.add(row)
        session.flush()
        fan = session.execute(select(Fan.lifetime_points, Fan.spent_points).where(Fan.id == fan_id)).one()
        return Outcome(REFUSED, reason, row.id, reward.id, reward.cost, balance(*fan))


def _by_key(sessions: sessionmaker[Session], key: str) -> Outcome | None:
    with sessions() as session:
        row = session.scalar(select(Redemption).where(Redemption.request_key == key))
        if row is None:
            return None
        fan = session.execute(select(Fan.lifetime_points, Fan.spent_points).where(Fan.id == row.fan_id)).one()
        return Outcome(row.status, row.reason, row.id, row.reward_id, row.cost, balance(*fan))


def fan_redemptions(session: Session, fan_id: str) -> list[dict[str, object]]:
    """A fan's redemption requests in order, done or refused with the reason."""
    query = select(Redemption).where(Redemption.fan_id == fan_id).order_by(Redemption.id)
    return [
        {
            "id": r.id,
            "reward": r.reward_id,
            "cost": r.cost,
            "status": r.status,
            "reason": r.reason,
            "at": r.at.isoformat(),
        }
        for r in session.scalars(query)
    ]
