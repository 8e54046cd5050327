"""Tables of tracked share links: which fan a link was issued to, and its counted click-backs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base
from storage.models.core import UtcDateTime


class TrackedLink(Base):
    """A share link issued to one fan for one campaign: `/l/<code>` redirects to `target_url`."""

    __tablename__ = "tracked_links"
    __table_args__ = (Index("ix_tracked_links_fan_campaign", "fan_id", "campaign_id"),)

    code: Mapped[str] = mapped_column(String(40), primary_key=True)  # random, unguessable
    fan_id: Mapped[str] = mapped_column(ForeignKey("fans.id"))
    campaign_id: Mapped[str] = mapped_column(String(100), index=True)
    target_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LinkClick(Base):
    """One counted click-back: a visitor (a keyed hash, never the address) on one link on one UTC day."""

    __tablename__ = "link_clicks"
    __table_args__ = (UniqueConstraint("code", "day", "visitor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(ForeignKey("tracked_links.code"), index=True)
    day: Mapped[str] = mapped_column(String(10))  # "2026-11-20"
    visitor: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of day, address and user agent
    at: Mapped[datetime] = mapped_column(UtcDateTime)
