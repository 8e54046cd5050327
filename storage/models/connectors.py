"""Tables of the social connectors: per-source checkpoints and status, and monthly spend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base
from storage.models.core import UtcDateTime


class ConnectorSource(Base):
    """One polled source: its checkpoint (written with the events it covers) and its health."""

    __tablename__ = "connector_sources"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)  # "x:mentions"
    platform: Mapped[str] = mapped_column(String(40))
    cursor: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    newest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # newest activity stored
    fetched: Mapped[int] = mapped_column(BigInteger, default=0)  # raw items read
    events: Mapped[int] = mapped_column(BigInteger, default=0)  # events accepted
    errors: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row, for backoff
    last_error: Mapped[str | None] = mapped_column(Text)
    rates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)


class ConnectorSpend(Base):
    """What a platform's reads cost in one calendar month (UTC)."""

    __tablename__ = "connector_spend"

    platform: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    posts: Mapped[int] = mapped_column(BigInteger, default=0)
    users: Mapped[int] = mapped_column(BigInteger, default=0)
    micro_usd: Mapped[int] = mapped_column(BigInteger, default=0)  # millionths of a dollar
