"""The inbox: events accepted for processing and waiting for a worker (inbox/).

Each row is routed at arrival to one of a fixed number of partitions by the fan it
counts for, so a fan's events wait in one partition, which one worker at a time
drains oldest first. `engine_counters` hands out the processing-order numbers (`seq`)
at commit time; see storage/sequence.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base
from storage.models.core import UtcDateTime


class InboxEvent(Base):
    """An event waiting for a worker: parsed, scored and routed, not yet applied."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_part_order", "part", "at", "event_id"),
        Index("ix_inbox_gate_order", "gate", "at", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)  # arrival
    event_id: Mapped[str] = mapped_column(String(300), unique=True)  # the first arrival of an id waits
    part: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(300))  # the fan (or profile) the partition was chosen by
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    gate: Mapped[str | None] = mapped_column(String(200))  # events that must go in time order cluster-wide
    source: Mapped[str] = mapped_column(String(500))
    line: Mapped[int | None] = mapped_column(Integer)
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # engine.policy.ScoringPolicy, or None
    payload: Mapped[str] = mapped_column(Text)  # the event as JSON
    enqueued_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InboxPartition(Base):
    """One row per partition: a worker holds a partition by locking its row."""

    __tablename__ = "inbox_partitions"

    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class EngineCounter(Base):
    """Named counters; "seq" is the last processing-order number handed out."""

    __tablename__ = "engine_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
