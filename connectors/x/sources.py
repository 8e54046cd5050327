"""The X sources one connectors.yaml asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from connectors.base import Source
from connectors.config import XSettings
from connectors.rates import RateBook
from connectors.x.client import XClient
from connectors.x.normalize import Brand
from connectors.x.source import DeletionSweep, TimelineSource, reposters_source

BLIND_SPOTS = (
    "likes: liking_users needs the brand's user token, allows 75 requests / 15 min and lists 100 users; "
    "not polled (likes earn nothing by default)",
    "reposts by accounts with protected posts, and who reposted beyond the 100 most recent",
)


def search_query(settings: XSettings) -> str | None:
    """`#tag OR url:"link" ... -is:retweet` for the campaign's hashtags and links."""
    terms = [f"#{tag}" for tag in settings.hashtags] + [f'url:"{link}"' for link in settings.links]
    if settings.tracked_links:
        terms.append(f'url:"{settings.tracked_links.split("://", 1)[-1]}"')
    return f"({' OR '.join(terms)}) -is:retweet" if terms else None


def x_sources(
    settings: XSettings,
    token: str,
    prepare: Callable[[requests.Session], Any],
    rates: RateBook,
    page_size: int = 100,
) -> list[Source]:
    """Mentions, hashtag search, per post replies, quotes and reposters, and the deletion sweep."""
    client = XClient(token, prepare, rates)
    brand = Brand(settings.brand_id, settings.brand_handle, settings.tracked_links)
    every = settings.every
    sources: list[Source] = [
        TimelineSource(
            "x:mentions",
            lambda since, tok: client.mentions(brand.user_id, since, tok, max(5, page_size)),
            brand,
            every["mentions"],
            ("x.mentions",),
            ("mentions: only the 800 most recent are listed",),
        )
    ]
    query = search_query(settings)
    if query:
        sources.append(
            TimelineSource(
                "x:search",
                lambda since, tok: client.search(query, since, tok, max(10, page_size)),
                brand,
                every["search"],
                ("x.search_recent",),
                ("search: the last 7 days only, and no reposts",),
            )
        )
    for post in settings.posts:
        sources += _post_sources(client, brand, post, every, page_size)
    sources.append(DeletionSweep("x:deletions", client, every["deletions"]))
    return sources


def _post_sources(client: XClient, brand: Brand, post: str, every: dict, page_size: int) -> list[Source]:  # type: ignore[type-arg]
    replies = f"conversation_id:{post}"
    return [
        TimelineSource(
            f"x:replies:{post}",
            lambda since, tok: client.search(replies, since, tok, max(10, page_size)),
            brand,
            every["posts"],
            ("x.search_recent",),
            ("replies: the last 7 days of the conversation",),
            post_id=post,
        ),
        TimelineSource(
            f"x:quotes:{post}",
            lambda since, tok: client.quotes(post, tok, max(10, page_size)),
            brand,
            every["posts"],
            ("x.quote_tweets",),
            ("quotes: 75 requests / 15 min per app",),
            post_id=post,
            client_since=True,
        ),
        reposters_source(f"x:retweets:{post}", client, post, brand, every["posts"]),
    ]
