"""Tables of the engine core: fans, profiles, events, quarantine, ledger and rule state.

Every table the rules engine writes is keyed so that processing the same event
twice cannot add a row twice (eventsourcing's "record the position with the result").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from storage.db import Base


class _UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC.

    SQLite keeps no offset: an aware value in another zone (a Berlin period end)
    would be stored as its wall time and read back as that time in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo is not None else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


UtcDateTime = _UtcDateTime()


class Fan(Base):
    """A fan account, or an unlinked social profile standing for one (`kind='profile'`)."""

    __tablename__ = "fans"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="account")  # "erased": a deleted fan's tombstone
    display_name: Mapped[str | None] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lifetime_points: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_points: Mapped[int] = mapped_column(BigInteger, default=0)
    level: Mapped[str | None] = mapped_column(String(100))
    level_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LinkedProfile(Base):
    """A social profile linked to a fan from `linked_at` (until `unlinked_at`, if set)."""

    __tablename__ = "linked_profiles"
    __table_args__ = (UniqueConstraint("link_event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile_key: Mapped[str] = mapped_column(String(200), index=True)
    fan_id: Mapped[str] = mapped_column(ForeignKey("fans.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    unlinked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    link_event_id: Mapped[str] = mapped_column(String(300))


class StoredEvent(Base):
    """An accepted event, stored once by id, with the fan it was attributed to."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_fan_at", "fan_id", "at"),
        # retention follows retracts by `seq`; an index of every event's type (a handful of
        # values, each shared by a large part of the table) helped no query and cost every insert
        Index(
            "ix_events_retracts",
            "seq",
            sqlite_where=text("type = 'retract'"),
            postgresql_where=text("type = 'retract'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)  # processing order
    platform: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    fan_id: Mapped[str | None] = mapped_column(String(200))
    profile_key: Mapped[str | None] = mapped_column(String(200), index=True)
    sentiment: Mapped[float | None] = mapped_column(Float)
    sentiment_label: Mapped[str | None] = mapped_column(String(8))  # positive / neutral / negative
    # Campaigns it counted in; for an event of no fan (listened to only), those it matched.
    campaigns: Mapped[list[str]] = mapped_column(JSON, default=list)
    retracted_by: Mapped[str | None] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QuarantinedEvent(Base):
    """A line or item that could not be accepted, kept for inspection with the reason."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # the same bad input is kept once
    source: Mapped[str] = mapped_column(String(500))
    line: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerEntry(Base):
    """One award, refusal or reversal, saying which campaign, rule and event caused it."""

    __tablename__ = "ledger"
    __table_args__ = (Index("ix_ledger_fan_campaign", "fan_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    key: Mapped[str] = mapped_column(String(700), unique=True)  # event|campaign|source|direction
    event_id: Mapped[str] = mapped_column(String(300), index=True)
    fan_id: Mapped[str] = mapped_column(String(200))
    campaign_id: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(200))  # "rule:share", "challenge:door-1", "reward:voucher"
    points: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(String(300), default="")
    cap_key: Mapped[str | None] = mapped_column(String(300))
    reverses: Mapped[int | None] = mapped_column(BigInteger)  # seq of the reversed entry


class CapCounter(Base):
    """How much of a rule's `max` a fan has used in one period."""

    __tablename__ = "cap_counters"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)  # campaign/rule/fan/period
    fan_id: Mapped[str] = mapped_column(String(200), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[int] = mapped_column(BigInteger, default=0)


class FanCampaign(Base):
    """A fan's membership of a campaign and points in it."""

    __tablename__ = "fan_campaigns"

    fan_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    points: Mapped[int] = mapped_column(BigInteger, default=0)


class BadgeProgress(Base):
    """Progress toward a badge not yet earned (counts, streak days, window times)."""

    __tablename__ = "badge_progress"

    fan_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    badge_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class BadgeGrant(Base):
    """A badge earned, once per fan per campaign, with when and why."""

    __tablename__ = "badge_grants"

    fan_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    badge_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    earned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[str | None] = mapped_column(String(300))
    period: Mapped[str | None] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(BigInteger)


class ChallengeSolver(Base):
    """A fan who scored on a challenge (the first `winners` correct answers)."""

    __tablename__ = "challenge_solvers"

    campaign_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    challenge_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    fan_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class BoardScore(Base):
    """A fan's score on one leaderboard period, with when it last changed (for ties)."""

    __tablename__ = "board_scores"
    __table_args__ = (
        # read models follow a period's changes by `seq`; ranks are kept in memory (no index by points)
        Index("ix_board_scores_changes", "board", "period", "seq"),
        # ingestion loads the scores of a batch's fans: without it, a scan of every board per query
        Index("ix_board_scores_fan_id", "fan_id"),
    )

    board: Mapped[str] = mapped_column(String(200), primary_key=True)  # campaign/board
    period: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" for all-time
    fan_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_event: Mapped[str] = mapped_column(String(300))
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # batch that last changed it


class ClosedPeriod(Base):
    """A board period whose rank badges have been granted (judged once)."""

    __tablename__ = "closed_periods"

    board: Mapped[str] = mapped_column(String(200), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
