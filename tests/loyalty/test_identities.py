"""Confirmed identities: only the asking fan confirms, once, within a day, one fan per identity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loyalty.identities import IdentityError, add_identity, confirm, resolve
from storage.db import transaction
from tests.loyalty.conftest import NOW


def test_an_identity_resolves_only_after_confirmation(sessions, fan) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        token = add_identity(session, fan, "handle", "@Anna_K", NOW)
        assert resolve(session, "handle", "anna_k") is None
    with transaction(sessions) as session:
        confirm(session, fan, token, NOW + timedelta(hours=23))
    with sessions() as session:
        assert resolve(session, "handle", "@ANNA_K") == fan
    with transaction(sessions) as session, pytest.raises(IdentityError):
        confirm(session, fan, token, NOW)  # used


def test_a_token_fails_for_another_fan_and_after_a_day(sessions, fan) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        token = add_identity(session, fan, "email", "a@example.org", NOW)
    with transaction(sessions) as session, pytest.raises(IdentityError):
        confirm(session, "fan-other", token, NOW)
    with transaction(sessions) as session, pytest.raises(IdentityError):
        confirm(session, fan, token, NOW + timedelta(hours=24, seconds=1))


def test_one_identity_confirms_for_one_fan_only(sessions, fan) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        mine = add_identity(session, fan, "email", "shared@example.org", NOW)
        theirs = add_identity(session, "fan-other", "email", "shared@example.org", NOW)
    with transaction(sessions) as session:
        confirm(session, fan, mine, NOW)
    with transaction(sessions) as session, pytest.raises(IdentityError, match="another account"):
        confirm(session, "fan-other", theirs, NOW)


def test_bad_identities_are_refused(sessions, fan) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        for kind, value in [("email", "nope"), ("handle", "a b"), ("phone", "123")]:
            with pytest.raises(IdentityError):
                add_identity(session, fan, kind, value, NOW)
