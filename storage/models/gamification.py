"""Tables of rewards and portable badges: redemptions, stock counters, badge assertions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base
from storage.models.core import UtcDateTime


class Redemption(Base):
    """A fan's request to spend balance on a reward: done (with its ledger entry) or refused (why).

    A done redemption is "requested" until its partner confirms delivery (`delivered_at`).
    """

    __tablename__ = "redemptions"
    __table_args__ = (
        Index("ix_redemptions_fan_reward", "fan_id", "reward_id", "status"),
        Index("ix_redemptions_partner", "partner", "id"),
        UniqueConstraint("request_key"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    fan_id: Mapped[str] = mapped_column(String(200))
    reward_id: Mapped[str] = mapped_column(String(100))
    cost: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # "done" | "refused"
    reason: Mapped[str] = mapped_column(String(300), default="")
    request_key: Mapped[str | None] = mapped_column(String(200))  # a retried request redeems once
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    partner: Mapped[str | None] = mapped_column(String(60))  # the reward's partner (slug), who delivers it
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # set when the partner confirms


class RewardCounter(Base):
    """How many of a reward were redeemed; the catalog's `stock` bounds it (a guarded increment)."""

    __tablename__ = "reward_counters"

    reward_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    redeemed: Mapped[int] = mapped_column(BigInteger, default=0)


class BadgeAssertion(Base):
    """An earned badge exported as an Open Badges assertion: stable id, hashed recipient, revocable."""

    __tablename__ = "badge_assertions"
    __table_args__ = (UniqueConstraint("fan_id", "campaign_id", "badge_id", "identity"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, unguessable
    fan_id: Mapped[str] = mapped_column(String(200), index=True)
    campaign_id: Mapped[str] = mapped_column(String(100))
    badge_id: Mapped[str] = mapped_column(String(100))
    identity_type: Mapped[str] = mapped_column(String(16))  # "email" | "url"
    identity: Mapped[str] = mapped_column(String(300))  # kept to re-export; only its hash is published
    salt: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revocation_reason: Mapped[str] = mapped_column(String(300), default="")


class BoardEpoch(Base):
    """A counter bumped whenever board rows are deleted (a fan erased), so rank indexes rebuild.

    Indexes catch up with changed rows by their `seq`; a deleted row leaves no `seq` behind,
    so deletions are announced here instead. They are rare, and one row read per request
    tells every process whether its indexes are still whole.
    """

    __tablename__ = "board_epochs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
