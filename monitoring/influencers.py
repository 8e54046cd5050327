"""Influencers: an explainable score per author, flags once over the thresholds, reviews.

Each author's features come from the aggregates (`monitoring.aggregate`), over the last
`window_days` days unless said otherwise, and each is normalised to 0..1:

| feature    | raw value                                             | normalised                 |
|------------|-------------------------------------------------------|----------------------------|
| followers  | followers when last seen                              | log10(1 + n) / 6 (1M = 1)  |
| engagement | likes, reposts, replies, quotes their posts got       | log10(1 + n) / 4 (10k = 1) |
| frequency  | posts about the brand in the last 7 days              | n / 10, at most 1          |
| reach      | followers of those who shared their posts             | log10(1 + n) / 6           |
| sentiment  | share of their posts that are positive                | as is                      |
| centrality | PageRank in the who-shares-whom graph (networkx)      | percentile among authors   |

score = 100 * sum(weight * normalised feature), weights from the YAML (they sum to 1 by
default). The brand's own accounts (campaign `brand`) are never ranked.

An author crossing every threshold (`min_score`, `min_followers`, `min_posts`,
`min_positive`) is flagged once, with the reasons in words. A dismissed author is
flagged again only when the score reaches the score it was dismissed at plus
`rescore_margin`; an approved one is not flagged again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from monitoring.aggregate import driver_rows
from monitoring.config import InfluencerConfig
from monitoring.pagerank import pagerank
from storage.models.monitoring import Author, AuthorDay, InfluencerFlag, InfluencerReview, ShareEdge
from storage.state_store import aware

WEEK = 7
DECISIONS = ("approve", "dismiss", "note")
STATUS_AFTER = {"approve": "approved", "dismiss": "dismissed"}


class ReviewError(ValueError):
    """A review that cannot be recorded (unknown author, unknown decision, no reviewer)."""


@dataclass(frozen=True, slots=True)
class Features:
    """An author's raw features."""

    followers: int
    engagement: int
    posts_week: int
    posts: int
    positive: int
    reach: int
    pagerank: float


@dataclass(frozen=True, slots=True)
class Ranked:
    """An author's score, normalised parts, percentiles and the reasons in words."""

    author: str
    handle: str | None
    score: float
    features: Features
    parts: dict[str, float]
    reach_top: float  # share of authors with at least this reach (0.01 = top 1 %)
    centrality_top: float
    reasons: tuple[str, ...]

    @property
    def positive_share(self) -> float:
        """Positive posts / posts in the window."""
        return self.features.positive / self.features.posts if self.features.posts else 0.0


def rank(
    session: Session, today: date, config: InfluencerConfig, brands: frozenset[str] = frozenset()
) -> list[Ranked]:
    """Every author active in the window, best score first.

    Reads the daily aggregates once (one grouped query for the window and the last week)
    and the share edges once; nothing here reads events."""
    first = today - timedelta(days=config.window_days - 1)
    totals = _window_totals(session, first, today - timedelta(days=WEEK - 1), today)
    ranks = _pagerank(session)
    features = {
        key: Features(
            followers=t.followers,
            engagement=t.engagement,
            posts_week=t.posts_week,
            posts=t.posts,
            positive=t.positive,
            reach=t.reach,
            pagerank=ranks.get(key, 0.0),
        )
        for key, t in totals.items()
        if key not in brands and key.partition(":")[2] not in brands
    }
    reach_top = _top_share({k: f.reach for k, f in features.items()})
    central_top = _top_share({k: f.pagerank for k, f in features.items()})
    ranked = [
        _ranked(key, totals[key].handle, f, reach_top[key], central_top[key], config)
        for key, f in features.items()
    ]
    return sorted(ranked, key=lambda r: (-r.score, r.author))


@dataclass(frozen=True, slots=True)
class _Totals:
    handle: str | None
    followers: int
    posts: int
    engagement: int
    positive: int
    reach: int
    posts_week: int


def _window_totals(session: Session, first: date, week_first: date, last: date) -> dict[str, _Totals]:
    """author -> summed features over the window (and posts since `week_first`), with the
    author's handle and followers; only authors with a day in the window."""
    in_window = AuthorDay.day >= first
    in_week = AuthorDay.day >= week_first

    def window_sum(column: Any) -> Any:
        return func.sum(case((in_window, column), else_=0))

    sums = (
        select(
            AuthorDay.author.label("author"),
            window_sum(AuthorDay.posts).label("posts"),
            window_sum(AuthorDay.engagement).label("engagement"),
            window_sum(AuthorDay.positive).label("positive"),
            window_sum(AuthorDay.reach).label("reach"),
            func.sum(case((in_week, AuthorDay.posts), else_=0)).label("posts_week"),
            func.count(case((in_window, 1))).label("days"),
        )
        .where(AuthorDay.day >= min(first, week_first), AuthorDay.day <= last)
        .group_by(AuthorDay.author)
        .subquery()
    )
    query = select(sums, Author.handle, Author.followers).outerjoin(Author, Author.key == sums.c.author)
    return {
        author: _Totals(
            handle,
            int(followers or 0),
            int(posts or 0),
            int(engagement or 0),
            int(positive or 0),
            int(reach or 0),
            int(posts_week or 0),
        )
        for author, posts, engagement, positive, reach, posts_week, days, handle, followers in driver_rows(
            session, query
        )
        if days
    }


def _pagerank(session: Session) -> dict[str, float]:
    """PageRank of the who-shares-whom graph: sharing someone's posts passes them rank."""
    edges = select(ShareEdge.source, ShareEdge.target, ShareEdge.count).where(ShareEdge.count > 0)
    return pagerank(driver_rows(session, edges))


def _top_share(values: dict[str, float]) -> dict[str, float]:
    """key -> share of keys whose value is at least this one's (1/n for the best)."""
    ordered = sorted(values.values(), reverse=True)
    n = len(ordered)
    first_at: dict[float, int] = {}
    for i, value in enumerate(ordered):
        first_at.setdefault(value, i)
    return {k: (first_at[v] + 1) / n for k, v in values.items()}


def normalise(f: Features, centrality_top: float) -> dict[str, float]:
    """Each feature on 0..1 (the table in the module docstring)."""
    return {
        "followers": min(1.0, math.log10(1 + f.followers) / 6),
        "engagement": min(1.0, math.log10(1 + f.engagement) / 4),
        "frequency": min(1.0, f.posts_week / 10),
        "reach": min(1.0, math.log10(1 + f.reach) / 6),
        "sentiment": f.positive / f.posts if f.posts else 0.0,
        "centrality": 1.0 - centrality_top if f.pagerank > 0 else 0.0,
    }


def _ranked(
    key: str,
    handle: str | None,
    f: Features,
    reach_top: float,
    central_top: float,
    config: InfluencerConfig,
) -> Ranked:
    parts = normalise(f, central_top)
    score = round(100 * sum(config.weights.get(name, 0.0) * value for name, value in parts.items()), 1)
    ranked = Ranked(key, handle, score, f, parts, reach_top, central_top, ())
    return Ranked(key, ranked.handle, score, f, parts, reach_top, central_top, reasons(ranked))


def reasons(r: Ranked) -> tuple[str, ...]:
    """Why an author stands out, in words: "42k followers, 9 posts this week, 87% positive, top 1% reach"."""
    f = r.features
    words = [
        f"{compact(f.followers)} followers",
        f"{f.posts_week} post{'s' if f.posts_week != 1 else ''} this week",
        f"{round(100 * r.positive_share)}% positive",
    ]
    if f.reach:
        words.append(f"top {percent(r.reach_top)} reach")
    if f.engagement:
        words.append(f"{compact(f.engagement)} engagements")
    if f.pagerank > 0 and r.centrality_top <= 0.1:
        words.append(f"top {percent(r.centrality_top)} in the share graph")
    return tuple(words)


def compact(n: int) -> str:
    """42000 -> "42k", 1250000 -> "1.2M", 950 -> "950"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if n >= 10_000:
        return f"{round(n / 1000)}k"
    if n >= 1000:
        return f"{n / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return str(n)


def percent(share: float) -> str:
    """0.01 -> "1%", 0.004 -> "0.4%" (a top share, rounded up so top 1 % never reads 0 %)."""
    value = 100 * share
    return f"{math.ceil(value)}%" if value >= 1 else f"{math.ceil(value * 10) / 10:g}%"


def crosses(r: Ranked, config: InfluencerConfig) -> bool:
    """Whether an author crosses every flagging threshold."""
    return (
        r.score >= config.min_score
        and r.features.followers >= config.min_followers
        and r.features.posts_week >= config.min_posts
        and r.positive_share >= config.min_positive
    )


def flag(session: Session, ranked: list[Ranked], config: InfluencerConfig, now: datetime) -> list[Ranked]:
    """Flag authors crossing the thresholds once; return the newly flagged (or re-flagged)."""
    candidates = [r for r in ranked if crosses(r, config)]
    if not candidates:
        return []
    existing = {
        f.author: f
        for f in session.scalars(
            select(InfluencerFlag).where(InfluencerFlag.author.in_([r.author for r in candidates]))
        )
    }
    flagged = []
    for r in candidates:
        known = existing.get(r.author)
        if known is None:
            session.add(
                InfluencerFlag(
                    author=r.author, status="flagged", score=r.score, reasons=list(r.reasons), flagged_at=now
                )
            )
        elif known.status == "dismissed" and r.score >= known.score + config.rescore_margin:
            known.status, known.score, known.reasons, known.flagged_at = (
                "flagged",
                r.score,
                list(r.reasons),
                now,
            )
        else:
            continue
        flagged.append(r)
    session.flush()
    return flagged


def review(
    session: Session,
    author: str,
    decision: str,
    *,
    by: str,
    now: datetime,
    note: str = "",
    score: float | None = None,
) -> InfluencerReview:
    """Record a community manager's decision on a flagged author: approve, dismiss or note.

    Approve invites the author to the ambassador programme; dismiss keeps them from being
    flagged again unless their score rises by the margin (counted from the dismissed
    score, `score` when given, else the score they were flagged at)."""
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r} (approve, dismiss or note)")
    if not by.strip():
        raise ReviewError("a review needs the reviewer (by)")
    flagged = session.get(InfluencerFlag, author)
    if flagged is None:
        raise ReviewError(f"{author} has not been flagged")
    if decision in STATUS_AFTER:
        flagged.status, flagged.reviewed_at = STATUS_AFTER[decision], now
        if decision == "dismiss" and score is not None:
            flagged.score = score
    record = InfluencerReview(author=author, decision=decision, note=note, by=by, at=now, score=score)
    session.add(record)
    session.flush()
    return record


def flags(session: Session, status: str | None = None) -> list[InfluencerFlag]:
    """Flagged authors (newest first), optionally of one status."""
    query = select(InfluencerFlag).order_by(InfluencerFlag.flagged_at.desc(), InfluencerFlag.author)
    if status:
        query = query.where(InfluencerFlag.status == status)
    return list(session.scalars(query))


def reviews(session: Session, author: str) -> list[InfluencerReview]:
    """An author's reviews, oldest first."""
    query = select(InfluencerReview).where(InfluencerReview.author == author).order_by(InfluencerReview.id)
    return list(session.scalars(query))


def flagged_since(flag_row: InfluencerFlag) -> datetime:
    """When the author was (last) flagged, timezone-aware."""
    return aware(flag_row.flagged_at)  # type: ignore[return-value]
