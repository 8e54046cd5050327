"""Fixtures of the loyalty tests: sessions on both databases, a partner, a fan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accounts.roles import Role
from accounts.service import create_user
from loyalty.partners import NewPartner, approve, create_partner
from storage.db import make_sessionmaker, transaction

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def sessions(db_engine) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    return make_sessionmaker(db_engine)


@pytest.fixture
def live_partner(sessions):  # type: ignore[no-untyped-def]
    """An approved partner `acme-shop` allowed to issue into `acme-autumn`."""
    with transaction(sessions) as session:
        partner = create_partner(
            session, NewPartner("acme-shop", "Acme Shop", "shop", "shop@example.org", ("acme-autumn",)), NOW
        )
        approve(session, "acme-shop", NOW)
    return partner


@pytest.fixture
def fan(sessions) -> str:  # type: ignore[no-untyped-def]
    """A fan account's engine id."""
    with transaction(sessions) as session:
        account = create_user(session, "anna@example.org", "password-1234", Role.FAN, "Anna", NOW)
    return account.fan_id or ""
