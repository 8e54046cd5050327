"""API keys: shown once, stored as a digest, scoped to a partner, live only when approved."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from loyalty.keys import ApiKeyError, authenticate_key, issue_key, revoke_key
from loyalty.partners import NewPartner, create_partner, suspend
from storage.db import transaction
from storage.models.loyalty import ApiKey
from tests.loyalty.conftest import NOW


def test_a_key_is_stored_only_as_its_digest(sessions, live_partner) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        issued = issue_key(session, live_partner, "live", NOW)
    assert issued.secret.startswith("ffk_live_") and len(issued.secret) == 9 + 43
    with sessions() as session:
        row = session.scalars(select(ApiKey)).one()
        stored = [str(v) for v in vars(row).values()]
    assert row.key_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert row.prefix == issued.secret[:16]
    assert not any(issued.secret in value for value in stored)


def test_a_key_authenticates_its_partner_until_revoked(sessions, live_partner) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        issued = issue_key(session, live_partner, "sandbox", NOW)
    with transaction(sessions) as session:
        owner = authenticate_key(session, issued.secret, NOW)
        assert owner is not None
        assert (owner.partner_slug, owner.mode, owner.campaigns) == ("acme-shop", "sandbox", ("acme-autumn",))
        assert authenticate_key(session, issued.secret[:-1] + "x", NOW) is None
        assert revoke_key(session, issued.prefix, NOW) is True
    with transaction(sessions) as session:
        assert authenticate_key(session, issued.secret, NOW) is None
        assert revoke_key(session, issued.prefix, NOW) is False


def test_live_keys_need_an_approved_partner(sessions) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        partner = create_partner(session, NewPartner("club-7", "Club", "club", "c@example.org"), NOW)
        with pytest.raises(ApiKeyError, match="approved"):
            issue_key(session, partner, "live", NOW)
        assert issue_key(session, partner, "sandbox", NOW).mode == "sandbox"


def test_a_suspended_partner_s_keys_stop_working(sessions, live_partner) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        issued = issue_key(session, live_partner, "live", NOW)
        suspend(session, "acme-shop")
    with transaction(sessions) as session:
        assert authenticate_key(session, issued.secret, NOW) is None
