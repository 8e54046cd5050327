"""Social profiles fans linked through OAuth, with their tokens encrypted at rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base

UtcDateTime = DateTime(timezone=True)


class ConnectedAccount(Base):
    """A fan's linked profile on one platform; tokens are Fernet ciphertexts, never plain."""

    __tablename__ = "connected_accounts"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fan_id: Mapped[str] = mapped_column(String(200), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    handle: Mapped[str] = mapped_column(String(200), default="")
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    link_event_id: Mapped[str] = mapped_column(String(300))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)
