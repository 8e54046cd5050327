"""Joining the programme: every problem reported at once, sign-up gives a partner login."""

from __future__ import annotations

import pytest

from engine.rules.model import CampaignSet
from loyalty.partners import NewPartner, PartnerError, approve, create_partner, owned_by, sign_up
from storage.db import transaction
from tests.factories import campaigns
from tests.loyalty.conftest import NOW

KNOWN: CampaignSet = campaigns(
    """
    version: 1
    campaigns:
      - id: acme-autumn
        name: Autumn
        rules: [{id: buy, on: purchase, points: {per: amount, rate: 1}}]
    """
)


def test_every_problem_is_reported_at_once(sessions) -> None:  # type: ignore[no-untyped-def]
    bad = NewPartner("A", "", "bakery", "not-mail", ("nope",))
    with transaction(sessions) as session, pytest.raises(PartnerError) as caught:
        create_partner(session, bad, NOW, known=KNOWN)
    assert str(caught.value) == (
        "a partner id has 3 to 60 characters: a-z, 0-9 and '-' inside; a name needs 1 to 200 characters; "
        "a partner is a shop, club, star, not 'bakery'; the contact is not an e-mail address; "
        "unknown campaign 'nope'"
    )


def test_a_taken_id_is_refused(sessions, live_partner) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session, pytest.raises(PartnerError, match="taken"):
        create_partner(session, NewPartner("acme-shop", "Other", "shop", "o@example.org"), NOW)


def test_sign_up_makes_a_partner_login_in_sandbox_and_approval_makes_it_live(sessions) -> None:  # type: ignore[no-untyped-def]
    new = NewPartner("fc-north", "FC North", "club", "Desk@FCNorth.example", ("acme-autumn",))
    with transaction(sessions) as session:
        account, partner = sign_up(session, new, "password-1234", NOW, KNOWN)
    assert (account.role, account.email, account.fan_id) == ("partner", "desk@fcnorth.example", None)
    assert (partner.status, partner.campaigns, partner.owner_user_id) == (
        "sandbox",
        ["acme-autumn"],
        account.id,
    )
    with transaction(sessions) as session:
        assert approve(session, "fc-north", NOW).status == "live"
    with sessions() as session:
        found = owned_by(session, account.id)
        assert found is not None and found.approved_at is not None
