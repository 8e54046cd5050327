"""X sources: mentions, hashtag search, and per brand post its replies, quotes and reposters.

Timelines (mentions, search, a post's replies and quotes) are read newest first
from the stored `since_id` on. The first page's newest id is kept as `pending`
until the last page is stored, so a poll cut short resumes from its pagination
token, and the next poll asks only for what is newer. Reposters have no ids or
times; their list is compared with the stored snapshot, and who disappeared from
a complete list un-reposted (a `retract`). The deletion sweep looks stored posts
up again and retracts the ones deleted on X.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.base import Batch, Cost, Cursor, PollContext, age_interval, own_post_id, retract_event
from connectors.errors import StaleCursor
from connectors.snapshot import ListPage, SnapshotSource
from connectors.x.client import XClient, XPage
from connectors.x.normalize import Brand, retweet_event, tweet_event

TWITTER_EPOCH_MS = 1288834974657
REPOSTERS_CAP = 100
POST_TYPES = ("quote", "reply", "mention", "share")

Fetch = Callable[[str | None, str | None], XPage]  # (since_id, pagination token) -> page


def created_at(post_id: str) -> datetime:
    """A post's creation time, read from its snowflake id."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)


def snowflake(at: datetime, sequence: int) -> str:
    """An X-style id for a post made at `at` (`created_at` reads `at` back)."""
    return str(((int(at.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22) + sequence)


def _cost(page: XPage) -> Cost:
    posts, users = page.reads
    return Cost(posts, users)


@dataclass(frozen=True, slots=True)
class TimelineSource:
    """Posts newest first, resumed from `since_id`; `client_since` filters where the API cannot."""

    name: str
    fetch: Fetch
    brand: Brand
    base: timedelta
    endpoints: tuple[str, ...]
    blind_spots: tuple[str, ...] = ()
    post_id: str | None = None  # the brand post a per-post source follows (for its age)
    client_since: bool = False
    platform: str = "x"

    def interval(self, now: datetime, cursor: Cursor) -> timedelta:
        """Fresh posts are polled at `base`, older ones less often."""
        return age_interval(self.base, created_at(self.post_id) if self.post_id else None, now)

    def poll(self, cursor: Cursor, ctx: PollContext) -> Iterator[Batch]:
        """Pages from the checkpoint on; the last one moves `since_id` to the newest post seen."""
        since = cursor.get("since_id")
        pending = cursor.get("pending") or {}
        token, newest = pending.get("token"), pending.get("newest")
        while True:
            try:
                page = self.fetch(None if self.client_since else since, token)
            except StaleCursor:
                if token is None:
                    raise
                token, newest = None, None  # start over from since_id: stored ids make it safe
                continue
            items = [t for t in page.items if not self.client_since or _newer(t.get("id"), since)]
            newest = newest or page.newest_id or _max_id(page.items)
            done = page.next_token is None or len(items) < len(page.items)
            events = [e for t in items if (e := tweet_event(t, page.users, page.tweets, self.brand))]
            if done:
                next_cursor: dict[str, object] = {"since_id": _max_id_of(newest, since)}
            else:
                next_cursor = {"since_id": since, "pending": {"token": page.next_token, "newest": newest}}
            yield Batch(tuple(events), next_cursor, _cost(page), fetched=len(page.items))
            if done:
                return
            token = page.next_token


def reposters_source(
    name: str, client: XClient, post_id: str, brand: Brand, base: timedelta
) -> SnapshotSource:
    """Who reposted one brand post: new reposters are `retweet`s, vanished ones are retracted."""

    def fetch(token: str | None) -> ListPage:
        page = client.retweeters(post_id, token)
        return ListPage(page.items, page.next_token, _cost(page))

    created = created_at(post_id)
    return SnapshotSource(
        name=name,
        platform="x",
        fetch=fetch,
        item_id=lambda user: str(user["id"]) if user.get("id") is not None else None,
        event_id=lambda user_id: f"x:retweet:{post_id}:{user_id}",
        to_event=lambda user, now: retweet_event(post_id, brand.handle, user, now),
        base=base,
        endpoints=("x.retweeted_by",),
        blind_spots=(
            "reposters: X lists at most the 100 most recent per post and gives no repost time; "
            "75 requests / 15 min per app",
        ),
        created=lambda cursor: created,
        retract_reason="repost undone on x",
        cap=REPOSTERS_CAP,
    )


@dataclass(frozen=True, slots=True)
class DeletionSweep:
    """Look stored X posts up again; retract and redact the ones deleted on X (X requires it within 24 h)."""

    name: str
    client: XClient
    base: timedelta
    platform: str = "x"
    endpoints: tuple[str, ...] = ("x.tweets_lookup",)
    blind_spots: tuple[str, ...] = ()

    def interval(self, now: datetime, cursor: Cursor) -> timedelta:
        """A fixed interval, under 24 hours."""
        return self.base

    def poll(self, cursor: Cursor, ctx: PollContext) -> Iterator[Batch]:
        """100 stored posts per request; each batch retracts what is gone."""
        stored = [post for post in ctx.stored("x", POST_TYPES) if own_post_id(post.event_id, "x")]
        for start in range(0, len(stored), 100):
            chunk = stored[start : start + 100]
            ids = {str(own_post_id(e.event_id, "x")): e.event_id for e in chunk}
            page = self.client.lookup(list(ids))
            gone = [
                ids[str(err.get("resource_id"))]
                for err in page.errors
                if "resource-not-found" in str(err.get("type")) and str(err.get("resource_id")) in ids
            ]
            retracts = tuple(retract_event("x", event_id, ctx.now, "deleted on x") for event_id in gone)
            yield Batch(
                retracts, {"swept_at": ctx.now.isoformat()}, _cost(page), len(chunk), redact=tuple(gone)
            )
        if not stored:
            yield Batch((), {"swept_at": ctx.now.isoformat()})


def _newer(post_id: object, since: object) -> bool:
    return since is None or (post_id is not None and int(str(post_id)) > int(str(since)))


def _max_id(items: tuple[dict[str, object], ...]) -> str | None:
    ids = [int(str(i["id"])) for i in items if i.get("id") is not None]
    return str(max(ids)) if ids else None


def _max_id_of(a: object, b: object) -> str | None:
    ids = [int(str(x)) for x in (a, b) if x is not None]
    return str(max(ids)) if ids else None
