"""Mastodon sources: the brand's notifications, the undo sweep (un-reblogs, un-favourites) and deletions.

Notifications are read forwards from the stored `min_id`: each page is the oldest
batch newer than it, and its newest id is the next checkpoint, stored with the
page's events, so a poll cut short resumes after the last stored page with no gap
and nothing twice. The next page is the answer's `prev` link (`fetch_previous`).

Mastodon removes the notification of an undone reblog or favourite and of a deleted
status, so what was stored must be looked up again: the undo sweep lists who still
reblogged and favourited each brand status with stored reblogs or favourites, and
retracts the ones gone; the deletion sweep looks fans' stored statuses up and
retracts (and redacts) the ones deleted, a bounded number per poll.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from connectors.base import Batch, Cursor, PollContext, Source, StoredPost, iso, own_post_id, retract_event
from connectors.config import MastodonSettings
from connectors.mastodon.client import BUCKET, MastodonClient, MastodonPage
from connectors.mastodon.normalize import STATUS_TYPES, Brand, notification_event
from connectors.rates import RateBook

NOTIFICATIONS_BLIND_SPOT = (
    "notifications: only activity that reaches the brand's instance (federation); "
    "notifications dismissed or cleared in an app before a poll are never seen"
)
BLIND_SPOTS = (
    "followers-only and direct statuses: not public, so they make no event",
    "quotes: only from Mastodon 4.5 on, and only accepted ones",
)
SWEEP_PER_POLL = 100  # status lookups per deletion sweep (the budget is 300 requests / 5 min)
SWEEP_BATCH = 20


@dataclass(frozen=True, slots=True)
class NotificationsSource:
    """Mentions, replies, quotes, reblogs and favourites, forwards from the stored `min_id`."""

    name: str
    client: MastodonClient
    brand: Brand
    base: timedelta
    platform: str = "mastodon"
    endpoints: tuple[str, ...] = (BUCKET,)
    blind_spots: tuple[str, ...] = ()

    def interval(self, now: datetime, cursor: Cursor) -> timedelta:
        """A fixed interval: notifications are one cheap request when nothing happened."""
        return self.base

    def poll(self, cursor: Cursor, ctx: PollContext) -> Iterator[Batch]:
        """One batch per page; each moves `min_id` to the newest notification it holds."""
        min_id = str(cursor.get("min_id") or "0")
        page: MastodonPage | None = self.client.notifications_after(min_id)
        while page is not None:
            ids = [int(n["id"]) for n in page.items if str(n.get("id", "")).isdigit()]
            newest = str(max([*ids, int(min_id)]))
            events = [e for n in page.items if (e := notification_event(n, self.brand))]
            yield Batch(tuple(events), {"min_id": newest}, fetched=len(page.items))
            if not page.full or newest == min_id:  # the last page, or an answer that did not move on
                return
            min_id, page = newest, self.client.newer(page)


def _engagement(stored: list[StoredPost]) -> dict[tuple[str, str], dict[str, str]]:
    """Stored reblogs and favourites by (kind, status): account id -> event id."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for post in stored:
        parts = post.event_id.split(":")
        if len(parts) == 4 and parts[1] in {"reblog", "favourite"}:
            out.setdefault((parts[1], parts[2]), {})[parts[3]] = post.event_id
    return out


@dataclass(frozen=True, slots=True)
class UndoSweep:
    """Retract stored reblogs and favourites whose account no longer appears in the status's list."""

    name: str
    client: MastodonClient
    base: timedelta
    platform: str = "mastodon"
    endpoints: tuple[str, ...] = (BUCKET,)
    blind_spots: tuple[str, ...] = ()

    def interval(self, now: datetime, cursor: Cursor) -> timedelta:
        """A fixed interval."""
        return self.base

    def poll(self, cursor: Cursor, ctx: PollContext) -> Iterator[Batch]:
        """One batch per brand status and kind: the retractions of what was undone."""
        done = {"swept_at": ctx.now.isoformat()}
        for (kind, status_id), stored in sorted(
            _engagement(ctx.stored("mastodon", ("share", "like"))).items()
        ):
            listed, fetched, page = set(), 0, self.client.accounts(kind, status_id)
            reason = f"{kind} undone on mastodon" if page is not None else "status deleted on mastodon"
            while page is not None:
                listed |= {str(a.get("id")) for a in page.items}
                fetched += len(page.items)
                page = self.client.accounts(kind, status_id, page) if page.full else None
            gone = [event_id for account, event_id in stored.items() if account not in listed]
            yield Batch(
                tuple(retract_event("mastodon", e, ctx.now, reason) for e in gone), done, fetched=fetched
            )
        yield Batch((), done)


@dataclass(frozen=True, slots=True)
class DeletionSweep:
    """Look fans' stored statuses up again; retract and redact the deleted ones, resuming where it stopped."""

    name: str
    client: MastodonClient
    base: timedelta
    per_poll: int = SWEEP_PER_POLL
    platform: str = "mastodon"
    endpoints: tuple[str, ...] = (BUCKET,)
    blind_spots: tuple[str, ...] = ()

    def interval(self, now: datetime, cursor: Cursor) -> timedelta:
        """A fixed interval, under 24 hours."""
        return self.base

    def poll(self, cursor: Cursor, ctx: PollContext) -> Iterator[Batch]:
        """Up to `per_poll` lookups after the stored position; back to the start after the last."""
        statuses = [
            p
            for p in ctx.stored("mastodon", STATUS_TYPES)
            if own_post_id(p.event_id, "mastodon") and p.event_id.split(":")[1] in STATUS_TYPES
        ]
        after = tuple(cursor.get("after") or ())
        ahead = [p for p in statuses if not after or (iso(p.at), p.event_id) > after]
        chosen = ahead[: self.per_poll]
        if not chosen:
            yield Batch((), {"after": None})
            return
        for start in range(0, len(chosen), SWEEP_BATCH):
            chunk = chosen[start : start + SWEEP_BATCH]
            gone = [
                p.event_id
                for p in chunk
                if self.client.status(str(own_post_id(p.event_id, "mastodon"))) is None
            ]
            last = chunk[-1]
            position = None if last.event_id == statuses[-1].event_id else [iso(last.at), last.event_id]
            retracts = tuple(retract_event("mastodon", e, ctx.now, "deleted on mastodon") for e in gone)
            yield Batch(retracts, {"after": position}, fetched=len(chunk), redact=tuple(gone))


def mastodon_sources(
    settings: MastodonSettings,
    token: str,
    prepare: Callable[[requests.Session], Any],
    rates: RateBook,
    page_size: int = 40,
    api_base_url: str | None = None,
    timeout: float = 30.0,
) -> list[Source]:
    """The notifications, the undo sweep and the deletion sweep of the brand account."""
    client = MastodonClient(token, api_base_url or settings.instance, prepare, rates, page_size, timeout)
    brand = Brand(
        settings.account_id, settings.acct, urlsplit(settings.instance).hostname or "", settings.tracked_links
    )
    every = settings.every
    return [
        NotificationsSource(
            "mastodon:notifications",
            client,
            brand,
            every["mentions"],
            blind_spots=(NOTIFICATIONS_BLIND_SPOT,),
        ),
        UndoSweep("mastodon:undone", client, every["posts"]),
        DeletionSweep("mastodon:deletions", client, every["deletions"]),
    ]
