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

A reward handed out by a partner (`partner:` in the catalog) is "requested" until
that partner confirms delivery; the partner hears of both through webhooks
(`reward.redeemed`, `reward.delivered`) written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.rewards.rules import Holding, balance, refusal, refusal_kind
from engine.rules.model import CampaignSet, Reward
from loyalty import webhooks
from storage.db import transaction
from storage.models.core import Fan, LedgerEntry
from storage.models.gamification import Redemption, RewardCounter
from storage.models.loyalty import Partner
from storage.sequence import allocate
from storage.state_store import aware, upsert

if TYPE_CHECKING:
    from accounts.privacy import Subject

DONE, REFUSED = "done", "refused"
REQUESTED, DELIVERED = "requested", "delivered"  # what became of a done redemption
ERASED_FAN = "erased"


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
    replayed: bool = False  # the answer to an earlier request with the same key

    @property
    def done(self) -> bool:
        return self.status == DONE

    @property
    def refusal_kind(self) -> str:
        """`out_of_stock`, `limit_reached` or `not_enough_points` for a refusal; "" when done."""
        return "" if self.done else refusal_kind(self.reason)


class DeliveryError(Exception):
    """A delivery that cannot be confirmed: `code` is `not_found` or `already_delivered`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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
    also: Callable[[Session, Outcome], None] | None = None,
) -> Outcome:
    """Redeem one reward for a fan, or record why not. Raises RedemptionError for unknown names.

    `also` runs in the redemption's own transaction once it is done (the API stores its
    answer to the request there), so both are written or neither.
    """
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
            outcome = _spend(session, reward, fan_id, now, request_key)
            if also is not None:
                also(session, outcome)
            return outcome
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
        fan_id=fan_id,
        reward_id=reward.id,
        cost=reward.cost,
        status=DONE,
        reason="",
        request_key=key,
        at=now,
        partner=reward.partner,
    )
    session.add(row)
    session.flush()
    _tell_partner(session, row, "reward.redeemed", now, name=reward.name)
    seq = allocate(session, 1) + 1  # in commit order, like a batch's (storage/sequence.py)
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
        return Outcome(row.status, row.reason, row.id, row.reward_id, row.cost, balance(*fan), replayed=True)


def _tell_partner(session: Session, row: Redemption, kind: str, now: datetime, **extra: Any) -> int:
    """Enqueue a webhook to the reward's partner in the caller's transaction; how many messages."""
    if row.partner is None:
        return 0
    partner_id = session.scalar(select(Partner.id).where(Partner.slug == row.partner))
    if partner_id is None:  # a catalog naming no known partner: nobody to tell
        return 0
    return webhooks.enqueue(session, partner_id, kind, f"redemption:{row.id}", describe(row) | extra, now)


def delivery(row: Redemption) -> str:
    """`requested` until the partner confirms delivery, then `delivered` (done redemptions)."""
    return DELIVERED if row.delivered_at is not None else REQUESTED


def describe(row: Redemption) -> dict[str, Any]:
    """A done redemption as partners (API, webhooks) see it."""
    delivered = aware(row.delivered_at)
    return {
        "id": row.id,
        "fan": row.fan_id,
        "reward": row.reward_id,
        "cost": row.cost,
        "status": delivery(row),
        "at": aware(row.at).isoformat(),  # type: ignore[union-attr]
        "delivered_at": delivered.isoformat() if delivered else None,
    }


def confirm_delivery(session: Session, partner: str, redemption_id: int, now: datetime) -> dict[str, Any]:
    """The partner confirms it handed the reward over; once. Raises DeliveryError otherwise."""
    guarded = session.execute(
        update(Redemption)
        .where(
            Redemption.id == redemption_id,
            Redemption.partner == partner,
            Redemption.status == DONE,
            Redemption.delivered_at.is_(None),
        )
        .values(delivered_at=now)
    )
    row = session.get(Redemption, redemption_id)
    if row is None or row.partner != partner or row.status != DONE:
        raise DeliveryError("not_found", f"no redemption {redemption_id} of a reward of yours")
    if guarded.rowcount != 1:  # type: ignore[attr-defined]
        raise DeliveryError("already_delivered", f"redemption {redemption_id} was confirmed before")
    session.refresh(row)
    _tell_partner(session, row, "reward.delivered", now)
    return describe(row)


def partner_redemptions(
    session: Session, partner: str, status: str | None = None, limit: int = 500
) -> list[Redemption]:
    """A partner's done redemptions, newest first; only `requested` or `delivered` ones if asked."""
    query = select(Redemption).where(Redemption.partner == partner, Redemption.status == DONE)
    if status == REQUESTED:
        query = query.where(Redemption.delivered_at.is_(None))
    elif status == DELIVERED:
        query = query.where(Redemption.delivered_at.is_not(None))
    return list(session.scalars(query.order_by(Redemption.id.desc()).limit(limit)))


def fan_redemptions(session: Session, fan_id: str) -> list[dict[str, object]]:
    """A fan's redemption requests in order, done (requested or delivered) or refused with the reason."""
    query = select(Redemption).where(Redemption.fan_id == fan_id).order_by(Redemption.id)
    return [
        {
            "id": r.id,
            "reward": r.reward_id,
            "cost": r.cost,
            "status": r.status,
            "reason": r.reason,
            "at": aware(r.at).isoformat(),  # type: ignore[union-attr]
            "delivery": delivery(r) if r.status == DONE else None,
            "delivered_at": r.delivered_at and aware(r.delivered_at).isoformat(),  # type: ignore[union-attr]
        }
        for r in session.scalars(query)
    ]


def export_redemptions(session: Session, subject: Subject) -> list[dict[str, object]]:
    """The fan's redemptions, for 'Download my data'."""
    return fan_redemptions(session, subject.fan_id) if subject.fan_id else []


def erase_redemptions(session: Session, subject: Subject) -> None:
    """Detach the fan's redemptions from them; the rows stay, nameless, so stock and partners' records hold.

    Request keys go too: they may carry the caller's own references.
    """
    if subject.fan_id is None:
        return
    session.execute(
        update(Redemption)
        .where(Redemption.fan_id == subject.fan_id)
        .values(fan_id=ERASED_FAN, request_key=None)
    )
