"""The Facebook sources one connectors.yaml asks for: per Page post its comments,
reactions and visible shares, and the posts that tag the Page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from connectors.base import Cursor, PollContext, Source
from connectors.config import FacebookSettings
from connectors.facebook.client import GraphClient
from connectors.facebook.normalize import Page, comment_event, reaction_event, share_event, tagged_event
from connectors.rates import RateBook
from connectors.snapshot import SnapshotSource

BLIND_SPOTS = (
    "shares: /sharedposts lists only shares the Page token may see (mostly Pages and public posts); "
    "the post's shares.count is the real number",
    "tagged posts by people: the author (`from`) is hidden, so they cannot be attributed",
)
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url"


def _created(cursor: Cursor) -> datetime | None:
    value = cursor.get("created_time")
    return datetime.fromisoformat(value).astimezone(UTC) if isinstance(value, str) else None


def facebook_sources(
    settings: FacebookSettings,
    token: str,
    prepare: Callable[[requests.Session], Any],
    rates: RateBook,
    page_size: int = 100,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[Source]:
    """Comments, reactions and shares per post, and the Page's tagged posts."""
    client = GraphClient(token, prepare, rates, clock)
    page = Page(settings.page_id, settings.page_name)
    sources: list[Source] = []
    for post in settings.posts:
        sources += _post_sources(client, page, post, settings, page_size)
    sources.append(
        SnapshotSource(
            name="facebook:tagged",
            platform="facebook",
            fetch=lambda after: client.edge(
                page.id, "tagged", after, "id,created_time,message,from,permalink_url", page_size
            ),
            item_id=lambda item: str(item["id"]) if item.get("id") else None,
            event_id=lambda i: f"facebook:mention:{i}",
            to_event=lambda item, now: tagged_event(item, page),
            base=settings.every["tagged"],
            endpoints=("facebook.app",),
            blind_spots=BLIND_SPOTS[1:],
            retract_reason="post deleted on facebook",
        )
    )
    return sources


def _shares_note(facts: dict[str, Any], seen: list[str]) -> tuple[str, ...]:
    counted = facts.get("shares_count")
    if counted is None or counted <= len(seen):
        return ()
    return (f"{counted} shares counted by facebook, {len(seen)} visible to the Page token",)


def _post_sources(
    client: GraphClient, page: Page, post: str, settings: FacebookSettings, size: int
) -> list[Source]:
    def counts(ctx: PollContext) -> dict[str, Any]:
        """The post's own numbers: its age (for the schedule) and what cannot be listed."""
        node = client.post(post)
        created = datetime.strptime(node["created_time"], "%Y-%m-%dT%H:%M:%S%z").isoformat()
        return {"created_time": created, "shares_count": int((node.get("shares") or {}).get("count", 0))}

    def snapshot(
        kind: str, edge: str, fields: str, to_event: Callable[..., Any], reason: str, **extra: str
    ) -> SnapshotSource:
        return SnapshotSource(
            name=f"facebook:{kind}:{post}",
            platform="facebook",
            fetch=lambda after: client.edge(post, edge, after, fields, size, **extra),
            item_id=lambda item: str(item["id"]) if item.get("id") else None,
            event_id=lambda i: (
                f"facebook:{'like:' + post + ':' if kind == 'reactions' else kind.rstrip('s') + ':'}{i}"
            ),
            to_event=to_event,
            base=settings.every["posts"],
            endpoints=("facebook.app",),
            blind_spots=BLIND_SPOTS[:1] if kind == "shares" else (),
            created=_created,
            retract_reason=reason,
            start=counts,
            summarize=_shares_note if kind == "shares" else lambda facts, seen: (),
        )

    return [
        snapshot(
            "comments",
            "comments",
            COMMENT_FIELDS,
            lambda i, now: comment_event(i, post, page),
            "comment deleted on facebook",
            filter="stream",
            order="chronological",
        ),
        snapshot(
            "reactions",
            "reactions",
            "id,name,type",
            lambda i, now: reaction_event(i, post, page, now),
            "reaction taken back on facebook",
        ),
        snapshot(
            "shares",
            "sharedposts",
            "id,created_time,message,from,permalink_url",
            lambda i, now: share_event(i, post, page),
            "share deleted on facebook",
        ),
    ]
