"""Accounts: sign-up rules, argon2 hashes, throttled logins, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from accounts.roles import Role, allows
from accounts.service import AccountError, authenticate, create_user, forget_old_failures
from storage.db import make_sessionmaker, transaction
from storage.models.accounts import LoginFailure, User
from storage.models.core import Fan

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _create(engine: Engine, email: str = "Anna@Example.org", role: Role = Role.FAN) -> None:
    with transaction(make_sessionmaker(engine)) as session:
        create_user(session, email, PASSWORD, role, "Anna", NOW)


def test_a_fan_signs_up_with_a_fan_account_and_a_hashed_password(db_engine: Engine) -> None:
    _create(db_engine)
    with make_sessionmaker(db_engine)() as session:
        user = session.scalars(select(User)).one()
        fan = session.get(Fan, user.fan_id)
    assert user.email == "anna@example.org" and user.role == "fan"
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    assert fan is not None and fan.display_name == "Anna" and fan.kind == "account"


def test_staff_have_no_fan_account(db_engine: Engine) -> None:
    _create(db_engine, "mara@example.org", Role.MARKETER)
    with make_sessionmaker(db_engine)() as session:
        assert session.scalars(select(User.fan_id)).one() is None
        assert session.scalars(select(Fan)).all() == []


@pytest.mark.parametrize(
    ("email", "password", "name", "message"),
    [
        ("not-an-address", PASSWORD, "A", "not an e-mail address"),
        ("a@example.org", "short", "A", "at least 10 characters"),
        ("a@example.org", PASSWORD, "   ", "display name"),
    ],
)
def test_bad_sign_ups_say_why(db_engine: Engine, email: str, password: str, name: str, message: str) -> None:
    with pytest.raises(AccountError, match=message), transaction(make_sessionmaker(db_engine)) as session:
        create_user(session, email, password, Role.FAN, name, NOW)


def test_an_address_signs_up_once_whatever_its_case(db_engine: Engine) -> None:
    _create(db_engine)
    with pytest.raises(AccountError, match="exists already"):
        _create(db_engine, "ANNA@example.org ")


def test_login_checks_the_password(db_engine: Engine) -> None:
    _create(db_engine)
    sessions = make_sessionmaker(db_engine)
    with transaction(sessions) as session:
        assert authenticate(session, " anna@EXAMPLE.org", PASSWORD, "10.0.0.1", NOW).account.role == "fan"
        wrong = authenticate(session, "anna@example.org", PASSWORD + "x", "10.0.0.1", NOW)
        unknown = authenticate(session, "nobody@example.org", PASSWORD, "10.0.0.1", NOW)
    assert (wrong.account, wrong.error) == (None, "wrong e-mail address or password")
    assert (unknown.account, unknown.error) == (None, "wrong e-mail address or password")


def test_five_failures_throttle_the_address_even_with_the_right_password(db_engine: Engine) -> None:
    _create(db_engine)
    sessions = make_sessionmaker(db_engine)
    for i in range(5):
        _record_failure(sessions, "anna@example.org", f"10.0.0.{i}", NOW + timedelta(seconds=i))
    with transaction(sessions) as session:
        refused = authenticate(session, "anna@example.org", PASSWORD, "10.9.9.9", NOW + timedelta(minutes=1))
        later = authenticate(session, "anna@example.org", PASSWORD, "10.9.9.9", NOW + timedelta(minutes=16))
    assert refused.account is None and "too many failed attempts" in refused.error
    assert later.account is not None and later.account.email == "anna@example.org"


def test_one_client_guessing_many_addresses_is_throttled(db_engine: Engine) -> None:
    _create(db_engine)
    sessions = make_sessionmaker(db_engine)
    for i in range(5):
        _record_failure(sessions, f"guess{i}@example.org", "10.6.6.6", NOW)
    with transaction(sessions) as session:
        result = authenticate(session, "anna@example.org", PASSWORD, "10.6.6.6", NOW)
    assert result.account is None and "too many failed attempts" in result.error


def test_old_failures_are_forgotten(db_engine: Engine) -> None:
    sessions = make_sessionmaker(db_engine)
    _record_failure(sessions, "a@example.org", "10.0.0.1", NOW)
    with transaction(sessions) as session:
        assert forget_old_failures(session, NOW + timedelta(minutes=14)) == 0
        assert forget_old_failures(session, NOW + timedelta(minutes=15)) == 2
        assert session.scalars(select(LoginFailure)).all() == []


def _record_failure(sessions, email: str, client: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """A failed attempt as the login view makes it, in its own transaction."""
    with transaction(sessions) as session:
        assert authenticate(session, email, "wrong password!", client, at).account is None


def test_admin_may_do_what_any_role_may() -> None:
    assert allows("admin", (Role.MARKETER,))
    assert allows("marketer", (Role.MARKETER, Role.COMMUNITY_MANAGER))
    assert not allows("fan", (Role.MARKETER,))
    assert not allows("community_manager", (Role.MARKETER,))
