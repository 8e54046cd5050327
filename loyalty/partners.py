"""The developer programme: partners sign up (sandbox at once), admins approve them (live).

A partner signing up on the developer page gets a login with the `partner` role and a
partner record in `sandbox`; an admin approving it makes it `live`, which allows live
keys. A partner may issue points into the campaigns listed on its record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.roles import Role
from accounts.service import EMAIL, Account, create_user, normalize_email
from engine.rules.model import CampaignSet
from storage.models.loyalty import Partner

KINDS = ("shop", "club", "star")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


class PartnerError(ValueError):
    """A partner that cannot be created or changed; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class NewPartner:
    """What a partner says about itself when joining."""

    slug: str
    name: str
    kind: str
    contact_email: str
    campaigns: tuple[str, ...] = ()


def create_partner(
    session: Session,
    new: NewPartner,
    now: datetime,
    *,
    owner_user_id: int | None = None,
    known: CampaignSet | None = None,
) -> Partner:
    """A partner in sandbox; every problem with the input is reported at once."""
    problems = _problems(new, known)
    if problems:
        raise PartnerError("; ".join(problems))
    partner = Partner(
        slug=new.slug,
        name=new.name.strip(),
        kind=new.kind,
        contact_email=normalize_email(new.contact_email),
        owner_user_id=owner_user_id,
        status="sandbox",
        campaigns=list(new.campaigns),
        created_at=now,
    )
    session.add(partner)
    try:
        session.flush()
    except IntegrityError:
        raise PartnerError(f"the partner id {new.slug!r} is taken") from None
    return partner


def _problems(new: NewPartner, known: CampaignSet | None) -> list[str]:
    problems = []
    if not SLUG.match(new.slug):
        problems.append("a partner id has 3 to 60 characters: a-z, 0-9 and '-' inside")
    if not new.name.strip() or len(new.name) > 200:
        problems.append("a name needs 1 to 200 characters")
    if new.kind not in KINDS:
        problems.append(f"a partner is a {', '.join(KINDS)}, not {new.kind!r}")
    if not EMAIL.match(normalize_email(new.contact_email)):
        problems.append("the contact is not an e-mail address")
    if known is not None:
        ids = {c.id for c in known.campaigns}
        problems.extend(f"unknown campaign {c!r}" for c in new.campaigns if c not in ids)
    return problems


def sign_up(
    session: Session, new: NewPartner, password: str, now: datetime, known: CampaignSet | None = None
) -> tuple[Account, Partner]:
    """The developer page's sign-up: a partner login and its sandbox partner, together."""
    problems = _problems(new, known)
    if problems:
        raise PartnerError("; ".join(problems))
    account = create_user(session, new.contact_email, password, Role.PARTNER, new.name, now)
    return account, create_partner(session, new, now, owner_user_id=account.id, known=known)


def approve(session: Session, slug: str, now: datetime) -> Partner:
    """Make a partner live (it may then make live keys)."""
    partner = by_slug(session, slug)
    if partner.status != "live":
        partner.status, partner.approved_at = "live", now
    return partner


def suspend(session: Session, slug: str) -> Partner:
    """Stop every key of a partner from working (approving again lifts it)."""
    partner = by_slug(session, slug)
    partner.status = "suspended"
    return partner


def by_slug(session: Session, slug: str) -> Partner:
    """The partner with this id; `PartnerError` when there is none."""
    partner = session.scalar(select(Partner).where(Partner.slug == slug))
    if partner is None:
        raise PartnerError(f"no partner {slug!r}")
    return partner


def owned_by(session: Session, user_id: int) -> Partner | None:
    """The partner a partner login manages."""
    return session.scalar(select(Partner).where(Partner.owner_user_id == user_id))


def set_campaigns(
    session: Session, slug: str, campaigns: tuple[str, ...], known: CampaignSet | None
) -> Partner:
    """Set the campaigns a partner may issue into (an admin's decision)."""
    partner = by_slug(session, slug)
    if known is not None:
        unknown = [c for c in campaigns if c not in {k.id for k in known.campaigns}]
        if unknown:
            raise PartnerError("; ".join(f"unknown campaign {c!r}" for c in unknown))
    partner.campaigns = list(campaigns)
    return partner
