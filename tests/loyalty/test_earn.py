"""The Earn service against both databases: exact totals when credits arrive at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from decimal import Decimal

from sqlalchemy import func, select

from engine.rules.model import CampaignSet
from loyalty.earn import ApiError, CreditRequest, FanRef, credit, refund
from loyalty.keys import KeyOwner
from storage.db import transaction
from storage.models.core import Fan, LedgerEntry
from tests.factories import campaigns
from tests.loyalty.conftest import NOW

RULES: CampaignSet = campaigns(
    """
    version: 1
    campaigns:
      - id: acme-autumn
        name: Autumn
        rules: [{id: buy, on: purchase, points: {per: amount, rate: 1}}]
    """
)


def _owner(live_partner) -> KeyOwner:  # type: ignore[no-untyped-def]
    return KeyOwner(1, live_partner.id, "acme-shop", "live", ("acme-autumn",))


def _try_credit(sessions, owner, fan, order: str, amount: str) -> str:  # type: ignore[no-untyped-def]
    req = CreditRequest("purchase", FanRef("id", fan), order, NOW, Decimal(amount), "EUR")
    try:
        with transaction(sessions) as session:
            return str(credit(session, RULES, owner, req, NOW)["points"])
    except ApiError as exc:
        return exc.code


def test_parallel_credits_for_one_fan_add_up_exactly(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    owner = _owner(live_partner)
    orders = [(f"o-{i}", str(i + 1)) for i in range(12)]  # 1 + 2 + ... + 12 = 78 points
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda o: _try_credit(sessions, owner, fan, *o), orders))
    assert sorted(int(r) for r in results) == list(range(1, 13))
    with sessions() as session:
        assert session.get(Fan, fan).lifetime_points == 78  # type: ignore[union-attr]


def test_the_same_order_sent_at_once_is_credited_once(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    owner = _owner(live_partner)
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: _try_credit(sessions, owner, fan, "same", "10"), range(6)))
    assert sorted(results) == ["10"] + ["already_credited"] * 5
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
        assert session.get(Fan, fan).lifetime_points == 10  # type: ignore[union-attr]


def test_a_refund_takes_the_points_back_and_levels_follow(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    owner = _owner(live_partner)
    assert _try_credit(sessions, owner, fan, "o-1", "30.99") == "30"
    with transaction(sessions) as session:
        assert refund(session, RULES, owner, "purchase", "o-1", NOW)["points"] == -30
    with sessions() as session:
        assert session.get(Fan, fan).lifetime_points == 0  # type: ignore[union-attr]


def test_a_credit_does_not_wait_for_a_batch_of_other_fans(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    """While a worker's batch holds its fans (and its share of the engine state), a partner's
    credit for another fan goes through; before, it waited for every batch in flight."""
    from storage.db import FAN_LOCKS, share_engine_state, take_keys

    if sessions.kw["bind"].dialect.name == "sqlite":  # one writer at a time there anyway
        assert _try_credit(sessions, _owner(live_partner), fan, "o-1", "5") == "5"
        return
    with ThreadPoolExecutor(1) as pool, sessions() as batch:
        share_engine_state(batch)
        take_keys(batch, FAN_LOCKS, ["some-other-fan"])
        done = pool.submit(_try_credit, sessions, _owner(live_partner), fan, "o-1", "5")
        try:
            finished = wait([done], timeout=10).done
        finally:
            batch.rollback()  # the batch ends (after the credit, unless the credit waited for it)
        assert finished and done.result() == "5"
