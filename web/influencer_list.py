"""The community managers' influencer list: flagged authors, filtered, sorted, with recent posts.

Reads the flags `monitoring.influencers.flag` stored (with their reasons in words), the
authors as last seen, their window sums from the daily aggregates and their latest posts
about the brand; nothing here re-ranks, so the list costs a few queries, not PageRank.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from monitoring.contributions import TEXT_TYPES
from storage.models.accounts import User
from storage.models.core import StoredEvent
from storage.models.monitoring import Author, AuthorDay, InfluencerFlag, InfluencerReview, ListeningTerm
from storage.state_store import aware

STATUSES = ("flagged", "approved", "dismissed")
SORTS = ("score", "followers", "sentiment", "posts", "flagged", "author")
RECENT_POSTS = 3
RECENT_REVIEWS = 3
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = (
    "author",
    "handle",
    "status",
    "score",
    "followers",
    "posts",
    "positive_share",
    "reasons",
    "flagged_at",
    "reviewed_at",
)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the list shows: thresholds, a campaign, a status, and the order."""

    min_score: float = 0.0
    min_followers: int = 0
    min_positive: int = 0  # percent of the author's posts that are positive
    campaign: str = ""
    status: str = ""
    sort: str = "score"
    descending: bool = True

    def query(self, **changes: object) -> dict[str, str]:
        """These filters as query-string arguments (defaults left out), with `changes` applied."""
        values = {
            "min_score": _number_text(self.min_score),
            "min_followers": str(self.min_followers),
            "min_positive": str(self.min_positive),
            "campaign": self.campaign,
            "status": self.status,
            "sort": self.sort,
            "order": "desc" if self.descending else "asc",
        }
        values.update({k: str(v) for k, v in changes.items()})
        defaults = {"min_score": "0", "min_followers": "0", "min_positive": "0", "campaign": "", "status": ""}
        return {k: v for k, v in values.items() if defaults.get(k) != v}


@dataclass(frozen=True, slots=True)
class Post:
    """One of an author's recent posts about the brand, with its sentiment."""

    at: datetime
    type: str
    text: str
    label: str
    polarity: float


@dataclass(frozen=True, slots=True)
class Review:
    """A decision or note as the list shows it: who by name, when."""

    decision: str
    note: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Row:
    """One flagged author in the list."""

    author: str
    handle: str | None
    status: str
    score: float
    followers: int
    posts: int
    positive: int
    reasons: tuple[str, ...]
    flagged_at: datetime
    reviewed_at: datetime | None
    fan_id: str | None
    profile_key: str | None = None
    recent: tuple[Post, ...] = ()
    reviews: tuple[Review, ...] = ()

    @property
    def positive_share(self) -> float:
        """Positive posts / posts in the window (0 without posts)."""
        return self.positive / self.posts if self.posts else 0.0


def parse_filters(args: Mapping[str, str], campaigns: Iterable[str]) -> Filters:
    """Filters from a query string; anything malformed or unknown falls back to its default."""
    status = args.get("status", "")
    campaign = args.get("campaign", "")
    sort = args.get("sort", "score")
    return Filters(
        min_score=max(0.0, _float(args.get("min_score"))),
        min_followers=max(0, int(_float(args.get("min_followers")))),
        min_positive=min(100, max(0, int(_float(args.get("min_positive"))))),
        campaign=campaign if campaign in set(campaigns) else "",
        status=status if status in STATUSES else "",
        sort=sort if sort in SORTS else "score",
        descending=args.get("order", "desc") != "asc",
    )


def _float(text: str | None) -> float:
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return 0.0
    return value if value == value and abs(value) != float("inf") else 0.0  # no NaN, no infinity


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def load_rows(session: Session, filters: Filters, today: date, window_days: int) -> list[Row]:
    """The flagged authors matching `filters`, in the asked order (without posts and reviews)."""
    query = select(InfluencerFlag)
    if filters.status:
        query = query.where(InfluencerFlag.status == filters.status)
    flagged = list(session.scalars(query))
    keys = [f.author for f in flagged]
    if not keys:
        return []
    authors = {a.key: a for a in session.scalars(select(Author).where(Author.key.in_(keys)))}
    sums = _window_sums(session, keys, today - timedelta(days=window_days - 1), today)
    in_campaign = _in_campaign(session, keys, filters.campaign) if filters.campaign else None
    fans = _fan_ids(session, [a.profile_key for a in authors.values() if a.profile_key])
    rows = []
    for f in flagged:
        author = authors.get(f.author)
        posts, positive = sums.get(f.author, (0, 0))
        profile = author.profile_key if author else None
        rows.append(
            Row(
                author=f.author,
                handle=author.handle if author else None,
                status=f.status,
                score=f.score,
                followers=author.followers if author else 0,
                posts=posts,
                positive=positive,
                reasons=tuple(f.reasons or ()),
                flagged_at=aware(f.flagged_at),  # type: ignore[arg-type]
                reviewed_at=aware(f.reviewed_at),
                fan_id=fans.get(profile, profile) if profile else None,
                profile_key=profile,
            )
        )
    kept = [r for r in rows if _matches(r, filters, in_campaign)]
    return sort_rows(kept, filters.sort, filters.descending)


def _matches(row: Row, filters: Filters, in_campaign: set[str] | None) -> bool:
    return (
        row.score >= filters.min_score
        and row.followers >= filters.min_followers
        and 100 * row.positive_share >= filters.min_positive
        and (in_campaign is None or row.author in in_campaign)
    )


def sort_rows(rows: list[Row], sort: str, descending: bool) -> list[Row]:
    """Rows by one column; ties always by author name, A to Z."""
    keys = {
        "score": lambda r: r.score,
        "followers": lambda r: r.followers,
        "sentiment": lambda r: r.positive_share,
        "posts": lambda r: r.posts,
        "flagged": lambda r: r.flagged_at,
        "author": lambda r: r.author,
    }
    by_name = sorted(rows, key=lambda r: r.author)
    if sort == "author":
        return list(reversed(by_name)) if descending else by_name
    return sorted(by_name, key=keys[sort], reverse=descending)  # stable: names stay A to Z in ties


def _window_sums(session: Session, keys: list[str], first: date, last: date) -> dict[str, tuple[int, int]]:
    query = (
        select(AuthorDay.author, func.sum(AuthorDay.posts), func.sum(AuthorDay.positive))
        .where(AuthorDay.author.in_(keys), AuthorDay.day >= first, AuthorDay.day <= last)
        .group_by(AuthorDay.author)
    )
    return {a: (int(p or 0), int(q or 0)) for a, p, q in session.execute(query)}


def _in_campaign(session: Session, keys: list[str], campaign: str) -> set[str]:
    """The authors who wrote about `campaign` on any day still kept."""
    query = (
        select(ListeningTerm.term)
        .where(
            ListeningTerm.campaign == campaign,
            ListeningTerm.kind == "author",
            ListeningTerm.term.in_(keys),
            ListeningTerm.count > 0,
        )
        .distinct()
    )
    return set(session.scalars(query))


def _fan_ids(session: Session, profiles: list[str]) -> dict[str, str]:
    """profile key -> the fan account its posts are attributed to (a linked profile's fan)."""
    if not profiles:
        return {}
    query = (
        select(StoredEvent.profile_key, func.max(StoredEvent.fan_id))
        .where(StoredEvent.profile_key.in_(profiles), StoredEvent.fan_id.is_not(None))
        .group_by(StoredEvent.profile_key)
    )
    return {p: f for p, f in session.execute(query) if p}


def with_details(session: Session, rows: list[Row]) -> list[Row]:
    """Rows with their latest posts about the brand and latest reviews filled in."""
    if not rows:
        return rows
    posts = recent_posts(session, rows)
    reviews = recent_reviews(session, [r.author for r in rows])
    return [replace(r, recent=posts.get(r.author, ()), reviews=reviews.get(r.author, ())) for r in rows]


def recent_posts(session: Session, rows: list[Row], limit: int = RECENT_POSTS) -> dict[str, tuple[Post, ...]]:
    """author -> their latest posts about the brand (not retracted, text not purged), newest first."""
    by_profile = {r.profile_key: r.author for r in rows if r.profile_key}
    if not by_profile:
        return {}
    place = (
        func.row_number()
        .over(partition_by=StoredEvent.profile_key, order_by=StoredEvent.seq.desc())
        .label("place")
    )
    inner = (
        select(StoredEvent.id, place)
        .where(
            StoredEvent.profile_key.in_(list(by_profile)),
            StoredEvent.type.in_(sorted(TEXT_TYPES)),
            StoredEvent.retracted_by.is_(None),
            cast(StoredEvent.campaigns, String) != "[]",
        )
        .subquery()
    )
    query = (
        select(StoredEvent)
        .join(inner, inner.c.id == StoredEvent.id)
        .where(inner.c.place <= limit)
        .order_by(StoredEvent.seq.desc())
    )
    out: dict[str, list[Post]] = {}
    for event in session.scalars(query):
        text = event.payload.get("text")
        if not isinstance(text, str):
            continue  # purged (deleted or past retention): nothing left to show
        out.setdefault(by_profile[event.profile_key or ""], []).append(
            Post(
                aware(event.at),  # type: ignore[arg-type]
                event.type,
                text,
                event.sentiment_label or "neutral",
                event.sentiment or 0.0,
            )
        )
    return {k: tuple(v) for k, v in out.items()}


def recent_reviews(
    session: Session, authors: list[str], limit: int = RECENT_REVIEWS
) -> dict[str, tuple[Review, ...]]:
    """author -> their latest reviews, newest first, reviewers by display name."""
    records = list(
        session.scalars(
            select(InfluencerReview)
            .where(InfluencerReview.author.in_(authors))
            .order_by(InfluencerReview.id.desc())
        )
    )
    ids = {int(r.by) for r in records if r.by.isdigit()}
    names = (
        dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}
    )
    out: dict[str, list[Review]] = {}
    for r in records:
        kept = out.setdefault(r.author, [])
        if len(kept) < limit:
            who = names.get(int(r.by), r.by) if r.by.isdigit() else r.by
            kept.append(Review(r.decision, r.note, who, aware(r.at)))  # type: ignore[arg-type]
    return {k: tuple(v) for k, v in out.items()}


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or tab, CR) gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: list[Row]) -> str:
    """The rows as CSV (RFC 4180 quoting by the csv module, CRLF line ends), formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow(
            safe_cell(v)
            for v in (
                r.author,
                r.handle,
                r.status,
                f"{r.score:.1f}",
                r.followers,
                r.posts,
                f"{r.positive_share:.2f}",
                "; ".join(r.reasons),
                r.flagged_at.isoformat(),
                r.reviewed_at.isoformat() if r.reviewed_at else "",
            )
        )
    return out.getvalue()
