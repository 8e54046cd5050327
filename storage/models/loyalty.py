"""Tables of the open loyalty currency: partners and their keys, the Earn API's records,
fans' confirmed identities, claim codes, scheduled grants, and webhooks out.

Secrets are never stored as given: API keys and claim codes as SHA-256 digests,
webhook signing secrets encrypted (storage/encryption.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base

UtcDateTime = DateTime(timezone=True)


class Partner(Base):
    """A shop, club or star that issues points; `sandbox` until an admin approves it."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # shop | club | star
    contact_email: Mapped[str] = mapped_column(String(320))
    owner_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20))  # sandbox | live | suspended
    campaigns: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiKey(Base):
    """A partner's key: only its SHA-256 digest is kept; `prefix` identifies it to people."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # sandbox | live
    prefix: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiNonce(Base):
    """A request signature already seen, kept through the clock-skew window to refuse replays."""

    __tablename__ = "api_nonces"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class ApiRateWindow(Base):
    """Requests one key made in one minute; stored so that every web worker counts together."""

    __tablename__ = "api_rate_windows"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # minutes since the epoch
    count: Mapped[int] = mapped_column(Integer, default=0)


class ApiIdempotency(Base):
    """The answer given to an idempotency key, returned again to a retried request."""

    __tablename__ = "api_idempotency"

    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PartnerTransaction(Base):
    """A purchase or action a partner credited (live or sandbox), and its refund."""

    __tablename__ = "partner_transactions"
    __table_args__ = (UniqueConstraint("partner_id", "mode", "kind", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))  # purchase | action
    reference: Mapped[str] = mapped_column(String(200))  # the order number or action reference
    event_id: Mapped[str] = mapped_column(String(300))
    fan_id: Mapped[str] = mapped_column(String(200), index=True)
    points: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    refund_event_id: Mapped[str | None] = mapped_column(String(300))
    refunded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class FanIdentity(Base):
    """An e-mail address or handle a fan claims; partners may name the fan by it once confirmed."""

    __tablename__ = "fan_identities"
    __table_args__ = (
        UniqueConstraint("kind", "value", "fan_id"),
        Index("ix_fan_identities_lookup", "kind", "value", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fan_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # email | handle
    value: Mapped[str] = mapped_column(String(320))  # normalised: lower-cased, no leading @
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ClaimCode(Base):
    """A single-use offline code: its digest, what it is worth, until when, and who used it."""

    __tablename__ = "claim_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    campaign: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by: Mapped[str | None] = mapped_column(String(200))


class ClaimFailure(Base):
    """A wrong claim code entered, kept a while so that guessing is throttled across processes."""

    __tablename__ = "claim_failures"
    __table_args__ = (Index("ix_claim_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(400))  # "fan:<id>" or "ip:<address>"
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class FanProfile(Base):
    """What a fan chose to tell: the birthday (month and day only) for birthday points."""

    __tablename__ = "fan_profiles"

    fan_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    birthday_month: Mapped[int | None] = mapped_column(Integer)
    birthday_day: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GrantBatch(Base):
    """A bulk grant that was applied: who, from what, how many rows and points."""

    __tablename__ = "grant_batches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # digest of the grant list
    source: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(320))
    rows: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookSubscription(Base):
    """A partner's endpoint for events about its fans; the signing secret is encrypted."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    secret_enc: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """One message to one subscription (the outbox), written with the award that caused it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "message_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    message_id: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")


class WebhookAttempt(Base):
    """The delivery log: one line per attempt, with the answer or the error."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(Integer)
