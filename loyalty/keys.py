"""Partner API keys: made from `secrets`, shown once, kept only as a SHA-256 digest.

A key reads `ffk_<mode>_<43 random characters>`; the mode (`sandbox` or `live`) is
visible so that nobody pastes a live key into a test by mistake. The first 16
characters (`prefix`) name a key on pages and in logs without revealing it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.loyalty import ApiKey, Partner

MODES = ("sandbox", "live")
PREFIX_LENGTH = 16


class ApiKeyError(ValueError):
    """A key that cannot be made or used; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: `secret` is the only time the whole key exists outside the partner's hands."""

    id: int
    prefix: str
    mode: str
    secret: str


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """Who a presented key belongs to."""

    key_id: int
    partner_id: int
    partner_slug: str
    mode: str
    campaigns: tuple[str, ...]


def digest(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(session: Session, partner: Partner, mode: str, now: datetime) -> IssuedKey:
    """A new key for `partner`; live keys only for an approved (live) partner."""
    if mode not in MODES:
        raise ApiKeyError(f"a key's mode is sandbox or live, not {mode!r}")
    if mode == "live" and partner.status != "live":
        raise ApiKeyError("live keys are issued once an admin has approved the partner")
    secret = f"ffk_{mode}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        partner_id=partner.id,
        mode=mode,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=digest(secret),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return IssuedKey(row.id, row.prefix, mode, secret)


def authenticate_key(session: Session, presented: str, now: datetime) -> KeyOwner | None:
    """The owner of an unrevoked key whose partner may use it, or None."""
    if not presented.startswith("ffk_") or len(presented) > 200:
        return None
    row = session.execute(
        select(ApiKey, Partner)
        .join(Partner, Partner.id == ApiKey.partner_id)
        .where(ApiKey.key_hash == digest(presented), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    key, partner = row
    if partner.status == "suspended" or (key.mode == "live" and partner.status != "live"):
        return None
    key.last_used_at = now
    return KeyOwner(key.id, partner.id, partner.slug, key.mode, tuple(partner.campaigns or ()))


def revoke_key(session: Session, prefix: str, now: datetime, partner_id: int | None = None) -> bool:
    """Revoke the key with this prefix (of this partner, when given); False if none."""
    query = select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
    if partner_id is not None:
        query = query.where(ApiKey.partner_id == partner_id)
    keys = list(session.scalars(query))
    for key in keys:
        key.revoked_at = now
    return bool(keys)


def keys_of(session: Session, partner_id: int) -> list[ApiKey]:
    """A partner's keys, newest first (revoked ones too, marked)."""
    return list(
        session.scalars(select(ApiKey).where(ApiKey.partner_id == partner_id).order_by(ApiKey.id.desc()))
    )
