"""Bulk grants (all or nothing, every bad line reported) and yearly birthday points."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from accounts.roles import Role
from accounts.service import create_user
from loyalty.grants import GrantError, apply_bulk, grant_yearly, parse_csv, segment, set_birthday
from storage.db import transaction
from storage.models.core import Fan, LedgerEntry
from tests.factories import campaigns
from tests.loyalty.conftest import NOW
from tests.loyalty_fixtures import CAMPAIGNS

RULES = campaigns(CAMPAIGNS)


def _fans(sessions, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return [
            create_user(session, f"f{i}@example.org", "password-1234", Role.FAN, f"F{i}", NOW).fan_id or ""
            for i in range(n)
        ]


def _points(sessions) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return {f.id: f.lifetime_points for f in session.scalars(select(Fan))}


def test_every_bad_line_is_reported_with_its_number() -> None:
    text = "fan,points,reason\nfan-1,10,welcome\nfan-2,ten,welcome\n\nfan-3,0,x\n,5,x\nfan-4,5,\nfan-5,5\n"
    with pytest.raises(GrantError) as caught:
        parse_csv(text)
    assert caught.value.problems == [
        "line 3: points must be a whole number, got 'ten'",
        "line 5: points must be non-zero and at most 1000000 either way",
        "line 6: no fan",
        "line 7: a reason of 1 to 200 characters is needed",
        "line 8: expected 3 values, got 2",
    ]
    with pytest.raises(GrantError, match="line 1: the header"):
        parse_csv("who,points,reason\n")


def test_a_bulk_grant_lands_whole_once(sessions) -> None:  # type: ignore[no-untyped-def]
    a, b = _fans(sessions, 2)
    rows = parse_csv(f"fan,points,reason,campaign\n{a},50,Match day,acme-autumn\n{b},-5,Correction,\n")
    with transaction(sessions) as session:
        applied = apply_bulk(session, RULES, rows, "list.csv", "admin@example.org", NOW)
    assert (applied.rows, applied.points) == (2, 45)
    assert _points(sessions) == {a: 50, b: -5}
    with transaction(sessions) as session, pytest.raises(GrantError, match="granted before"):
        apply_bulk(session, RULES, rows, "list.csv", "admin@example.org", NOW)
    assert _points(sessions) == {a: 50, b: -5}


def test_one_unknown_fan_or_campaign_grants_nothing(sessions) -> None:  # type: ignore[no-untyped-def]
    (a,) = _fans(sessions, 1)
    rows = parse_csv(f"fan,points,reason,campaign\n{a},50,ok,\nfan-ghost,5,x,\n{a},5,x,no-such\n")
    with transaction(sessions) as session, pytest.raises(GrantError) as caught:
        apply_bulk(session, RULES, rows, "list.csv", "admin", NOW)
    assert caught.value.problems == [
        "line 3: no fan account 'fan-ghost'",
        "line 4: unknown campaign 'no-such'",
    ]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_segments_pick_fan_accounts(sessions) -> None:  # type: ignore[no-untyped-def]
    a, b = _fans(sessions, 2)
    rows = parse_csv(f"fan,points,reason\n{a},150,seed\n")
    with transaction(sessions) as session:
        apply_bulk(session, RULES, rows, "seed", "admin", NOW)
    with sessions() as session:
        assert segment(session, "all") == sorted([a, b])
        assert segment(session, "level:Gold") == [a]
        assert segment(session, "min-points:151") == []
        with pytest.raises(GrantError, match="unknown segment"):
            segment(session, "vip")


def test_birthday_points_once_per_year_even_when_the_job_runs_late_or_twice(sessions) -> None:  # type: ignore[no-untyped-def]
    a, b, c = _fans(sessions, 3)
    with transaction(sessions) as session:
        set_birthday(session, a, 11, 24, NOW)
        set_birthday(session, b, 2, 29, NOW)
        set_birthday(session, c, 11, 27, NOW)  # after the run day: not yet

    def run(day: date) -> int:
        at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
        with transaction(sessions) as session:
            return grant_yearly(session, RULES, day, at, birthday=50, anniversary=0)

    assert run(date(2026, 11, 26)) == 1  # two days late: caught up
    assert run(date(2026, 11, 26)) == 0  # a restart runs it again: nothing new
    assert run(date(2027, 2, 28)) == 1  # leap-day birthday on 28 February in a common year
    assert run(date(2027, 11, 24)) == 1  # next year again
    assert _points(sessions) == {a: 100, b: 50, c: 0}


def test_a_birthday_must_be_a_real_day(sessions) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session, pytest.raises(GrantError):
        set_birthday(session, "fan-x", 4, 31, NOW)
