"""Claim codes: unguessable, hashed, single-use even under concurrent submissions, throttled."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.roles import Role
from accounts.service import create_user
from loyalty.claim_codes import ClaimError, claim, digest, display, issue
from storage.db import transaction
from storage.models.core import Fan, StoredEvent
from storage.models.loyalty import ClaimCode, Partner
from tests.factories import campaigns
from tests.loyalty.conftest import NOW
from tests.loyalty_fixtures import CAMPAIGNS

RULES = campaigns(CAMPAIGNS)


def _issue(sessions, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        partner = session.scalars(select(Partner)).one()
        return issue(session, partner, kwargs.pop("count", 1), NOW + timedelta(days=30), NOW, **kwargs)


def _claim(sessions, fan: str, code: str, client: str = "10.0.0.1", at=NOW):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return claim(session, RULES, fan, code, client, at)


def test_codes_are_random_readable_and_stored_hashed(sessions, live_partner) -> None:  # type: ignore[no-untyped-def]
    codes = _issue(sessions, count=50, value=30)
    assert len(set(codes)) == 50
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", c) for c in codes)
    with sessions() as session:
        rows = list(session.scalars(select(ClaimCode)))
    assert {r.code_hash for r in rows} == {digest(c) for c in codes}
    assert not any(c in str(vars(r)) for r in rows for c in codes)


def test_a_code_gives_its_points_once_as_a_checkin(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    (code,) = _issue(sessions, value=30)
    typed = display(code).lower().replace("-", " - ")  # as a fan might type it
    result = _claim(sessions, fan, typed)
    assert (result.error, result.partner, result.points) == ("", "Acme Shop", 30)
    assert (
        _claim(sessions, fan, code, at=NOW + timedelta(minutes=1)).error == "this code has been used already"
    )
    with sessions() as session:
        event = session.get(StoredEvent, result.event_id)
        assert event is not None and (event.type, event.fan_id) == ("checkin", fan)
        assert event.payload["attrs"]["partner"] == "acme-shop" and event.payload["attrs"]["value"] == 30
        assert session.get(Fan, fan).lifetime_points == 30  # type: ignore[union-attr]


def test_expired_and_unknown_codes_are_refused(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    (code,) = _issue(sessions, value=30)
    assert _claim(sessions, fan, code, at=NOW + timedelta(days=30)).error == "this code has expired"
    assert _claim(sessions, fan, "ABCDE-FGHJK").error == "this code is not valid"


def test_guessing_is_throttled_per_fan_and_per_client(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    (code,) = _issue(sessions, value=30)
    for attempt in range(10):
        assert _claim(sessions, fan, f"WRONG{attempt:05d}", client=f"10.0.0.{attempt}").error
    assert "too many wrong codes" in _claim(sessions, fan, code, client="10.9.9.9").error
    assert _claim(sessions, fan, code, at=NOW + timedelta(minutes=16)).points == 30
    with transaction(sessions) as session:
        other = create_user(session, "ben@example.org", "password-1234", Role.FAN, "Ben", NOW).fan_id or ""
    for attempt in range(10):
        _claim(sessions, f"fan-guess-{attempt}", "WRONGWRONG", client="10.6.6.6")
    (second,) = _issue(sessions, value=30)
    assert "too many wrong codes" in _claim(sessions, other, second, client="10.6.6.6").error


def test_concurrent_submissions_of_one_code_have_exactly_one_winner(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    (code,) = _issue(sessions, value=30)
    with transaction(sessions) as session:
        fans = [fan] + [
            create_user(session, f"f{i}@example.org", "password-1234", Role.FAN, f"F{i}", NOW).fan_id or ""
            for i in range(7)
        ]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda f: _claim(sessions, f, code, client=f), fans))
    winners = [r for r in results if not r.error]
    assert len(winners) == 1 and winners[0].points == 30
    assert sorted({r.error for r in results if r.error}) == ["this code has been used already"]
    with sessions() as session:
        assert sum(f.lifetime_points for f in session.scalars(select(Fan))) == 30


def test_codes_count_only_in_the_partner_s_campaigns(sessions, live_partner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClaimError, match="does not issue into campaign 'other-brand'"):
        _issue(sessions, campaign="other-brand")
    with pytest.raises(ClaimError, match="1 to 1000"):
        _issue(sessions, count=1001)


def test_a_claim_does_not_wait_for_a_batch_of_other_fans(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    """A code typed in the shop goes through while a worker's batch holds other fans."""
    from concurrent.futures import wait

    from storage.db import FAN_LOCKS, share_engine_state, take_keys

    (code,) = _issue(sessions, value=30)
    if sessions.kw["bind"].dialect.name == "sqlite":  # one writer at a time there anyway
        assert _claim(sessions, fan, code).points == 30
        return
    with ThreadPoolExecutor(1) as pool, sessions() as batch:
        share_engine_state(batch)
        take_keys(batch, FAN_LOCKS, ["some-other-fan"])
        done = pool.submit(_claim, sessions, fan, code)
        try:
            finished = wait([done], timeout=10).done
        finally:
            batch.rollback()
        assert finished and done.result().points == 30
