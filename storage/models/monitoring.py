"""Tables of monitoring: daily listening aggregates, author features, the share graph,
fans' interests, influencer flags and their reviews, and the cursors that keep them
incremental (each new event is read once, by its `seq`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base
from storage.models.core import UtcDateTime


class MonitorCursor(Base):
    """How far a monitoring job has read: the last event `seq`, or a time as epoch seconds."""

    __tablename__ = "monitor_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)


class ListeningDay(Base):
    """One day's brand mentions in one campaign ('' = all campaigns): volume and mood."""

    __tablename__ = "listening_days"

    campaign: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer, default=0)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    neutral: Mapped[int] = mapped_column(Integer, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)


class ListeningTerm(Base):
    """How often an author, hashtag or topic appeared in one campaign's mentions on one day."""

    __tablename__ = "listening_terms"

    campaign: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # author / hashtag / topic
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Author(Base):
    """A social profile that posts about the brand, as last seen."""

    __tablename__ = "monitor_authors"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # platform:handle
    handle: Mapped[str | None] = mapped_column(String(200))
    profile_key: Mapped[str | None] = mapped_column(String(200))  # platform:actor id
    followers: Mapped[int] = mapped_column(BigInteger, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuthorDay(Base):
    """One author's brand activity on one day: posts, mood, engagement and reach received."""

    __tablename__ = "monitor_author_days"
    __table_args__ = (Index("ix_monitor_author_days_day", "day"),)

    author: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    posts: Mapped[int] = mapped_column(Integer, default=0)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)
    engagement: Mapped[int] = mapped_column(BigInteger, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[int] = mapped_column(BigInteger, default=0)


class ShareEdge(Base):
    """Who shares whom: `source` retweeted, quoted, shared or replied to `target`'s posts."""

    __tablename__ = "monitor_share_edges"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    target: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class FanInterest(Base):
    """How often a fan used a hashtag or talked about a topic in posts about the brand."""

    __tablename__ = "fan_interests"

    fan_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # hashtag / topic
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class InfluencerFlag(Base):
    """An author flagged as worth a call, once; its status follows the reviews."""

    __tablename__ = "influencer_flags"

    author: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(12))  # flagged / approved / dismissed
    score: Mapped[float] = mapped_column(Float)  # at flag time (re-flag compares against it)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    flagged_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class InfluencerReview(Base):
    """A community manager's decision or note on a flagged author: who, when, what."""

    __tablename__ = "influencer_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author: Mapped[str] = mapped_column(String(200), index=True)
    decision: Mapped[str] = mapped_column(String(12))  # approve / dismiss / note
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    score: Mapped[float | None] = mapped_column(Float)  # the author's score when reviewed
