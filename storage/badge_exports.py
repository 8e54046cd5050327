"""Exports of earned badges: one stable assertion per fan, badge and recipient address."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gamification.openbadges import Exported
from storage.db import transaction
from storage.models.core import BadgeGrant
from storage.models.gamification import BadgeAssertion
from storage.state_store import aware


class ExportError(Exception):
    """The badge cannot be exported (not earned, or a bad recipient)."""


def export_badge(
    sessions: sessionmaker[Session],
    fan_id: str,
    campaign_id: str,
    badge_id: str,
    *,
    identity_type: str,
    identity: str,
    now: datetime,
) -> Exported:
    """The assertion for an earned badge and this recipient, created on first export."""
    if identity_type not in ("email", "url"):
        raise ExportError(f"recipient type {identity_type!r} is not email or url")
    identity = identity.strip().lower() if identity_type == "email" else identity.strip()
    if identity_type == "email" and "@" not in identity:
        raise ExportError(f"{identity!r} is not an email address")
    try:
        with transaction(sessions) as session:
            grant = session.get(BadgeGrant, (fan_id, campaign_id, badge_id))
            if grant is None:
                raise ExportError(f"{fan_id} has not earned {campaign_id}/{badge_id}")
            row = _existing(session, fan_id, campaign_id, badge_id, identity)
            if row is None:
                row = BadgeAssertion(
                    id=str(uuid.uuid4()),
                    fan_id=fan_id,
                    campaign_id=campaign_id,
                    badge_id=badge_id,
                    identity_type=identity_type,
                    identity=identity,
                    salt=secrets.token_hex(16),
                    issued_on=now,
                    revoked=False,
                    revocation_reason="",
                )
                session.add(row)
            return _exported(row, grant)
    except IntegrityError:  # the same export raced itself: use the one that won
        with sessions() as session:
            row = _existing(session, fan_id, campaign_id, badge_id, identity)
            grant = session.get(BadgeGrant, (fan_id, campaign_id, badge_id))
            if row is None or grant is None:
                raise
            return _exported(row, grant)


def find_assertion(session: Session, assertion_id: str) -> tuple[BadgeAssertion, Exported] | None:
    """A stored assertion and what the documents need of it, or None."""
    row = session.get(BadgeAssertion, assertion_id)
    if row is None:
        return None
    grant = session.get(BadgeGrant, (row.fan_id, row.campaign_id, row.badge_id))
    return (row, _exported(row, grant)) if grant is not None else None


def _existing(
    session: Session, fan_id: str, campaign_id: str, badge_id: str, identity: str
) -> BadgeAssertion | None:
    return session.scalar(
        select(BadgeAssertion).where(
            BadgeAssertion.fan_id == fan_id,
            BadgeAssertion.campaign_id == campaign_id,
            BadgeAssertion.badge_id == badge_id,
            BadgeAssertion.identity == identity,
        )
    )


def _exported(row: BadgeAssertion, grant: BadgeGrant) -> Exported:
    return Exported(row.id, row.identity_type, row.identity, row.salt, aware(grant.earned_at))  # type: ignore[arg-type]
