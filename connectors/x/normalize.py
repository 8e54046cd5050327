"""Raw X API v2 payloads to event dicts: pure functions, no network, no database.

A post becomes one event whose type depends only on the post (so every endpoint
that returns it yields the same id): a tracked link makes it a `share`, a quoted
post a `quote`, a replied-to post a `reply`, anything else a `mention`. Reposts
come from the reposters list instead (`retweet_event`). Partial payloads are
normalised as far as they go: a missing user expansion (deleted account, no
`includes`) leaves the actor with only its id; a post without an id or a time
yields an incomplete event that ingestion quarantines with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.base import EventDict, iso

Raw = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Brand:
    """The brand account being watched, and the posts and links that mark campaign content."""

    user_id: str
    handle: str
    tracked_link_prefix: str | None = None  # e.g. "https://acme.example/s/"


def actor(user_id: str | None, users: Mapping[str, Raw]) -> dict[str, Any] | None:
    """The acting profile from the user expansion; only the id when the user is missing."""
    if user_id is None:
        return None
    user = users.get(str(user_id))
    if user is None:
        return {"id": str(user_id)}
    out: dict[str, Any] = {"id": str(user_id), "handle": user.get("username"), "name": user.get("name")}
    followers = (user.get("public_metrics") or {}).get("followers_count")
    if isinstance(followers, int) and not isinstance(followers, bool):
        out["followers"] = followers
    return {k: v for k, v in out.items() if v is not None}


def post_url(post_id: str, handle: str | None) -> str:
    """The public URL of a post."""
    return f"https://x.com/{handle}/status/{post_id}" if handle else f"https://x.com/i/web/status/{post_id}"


def classify(tweet: Raw, brand: Brand) -> str | None:
    """The event type of a post, or None for posts that make no event (reposts, the brand's own)."""
    refs = _refs(tweet)
    if "retweeted" in refs or str(tweet.get("author_id")) == brand.user_id:
        return None
    if tracked_link(tweet, brand) is not None:
        return "share"
    if "quoted" in refs:
        return "quote"
    if "replied_to" in refs:
        return "reply"
    return "mention"


def tracked_link(tweet: Raw, brand: Brand) -> str | None:
    """The first link in the post that is one of the brand's tracked share links."""
    if not brand.tracked_link_prefix:
        return None
    return next((link for link in _links(tweet) if link.startswith(brand.tracked_link_prefix)), None)


def tweet_event(
    tweet: Raw, users: Mapping[str, Raw], tweets: Mapping[str, Raw], brand: Brand
) -> EventDict | None:
    """The event for one post (None when the post makes no event)."""
    kind = classify(tweet, brand)
    if kind is None:
        return None
    event: EventDict = {"platform": "x", "type": kind, "attrs": {}}
    if tweet.get("id") is not None:
        event["id"] = f"x:{kind}:{tweet['id']}"
    if tweet.get("created_at") is not None:
        event["at"] = tweet["created_at"]
    author = actor(tweet.get("author_id"), users)
    if author is not None:
        event["actor"] = author
    target = _target(tweet, kind, users, tweets, brand)
    if target is not None:
        event["post"] = target
    event["text"] = _text(tweet)
    entities = tweet.get("entities") or {}
    event["hashtags"] = [h["tag"] for h in entities.get("hashtags") or [] if h.get("tag")]
    event["mentions"] = [m["username"] for m in entities.get("mentions") or [] if m.get("username")]
    event["links"] = _links(tweet)
    if kind == "share":
        event["attrs"]["tracked_link"] = tracked_link(tweet, brand)
    return event


def retweet_event(post_id: str, post_author: str, user: Raw, at: datetime) -> EventDict:
    """A repost seen in a post's reposters list; X gives no repost time, so `at` is when it was first seen."""
    return {
        "id": f"x:retweet:{post_id}:{user.get('id')}",
        "platform": "x",
        "type": "retweet",
        "at": iso(at),
        "actor": actor(str(user.get("id")), {str(user.get("id")): user}),
        "post": {"id": post_id, "author": post_author, "url": post_url(post_id, post_author)},
        "attrs": {"seen": "reposters list"},
    }


def _refs(tweet: Raw) -> dict[str, str]:
    return {str(r.get("type")): str(r.get("id")) for r in tweet.get("referenced_tweets") or [] if r.get("id")}


def _target(
    tweet: Raw, kind: str, users: Mapping[str, Raw], tweets: Mapping[str, Raw], brand: Brand
) -> dict[str, Any] | None:
    """The post acted on: the quoted or replied-to post; for a share, the post itself."""
    refs = _refs(tweet)
    target_id = refs.get("quoted") if kind == "quote" else refs.get("replied_to") if kind == "reply" else None
    if kind == "share" and tweet.get("id") is not None:
        target_id = str(tweet["id"])
    if target_id is None:
        return None
    referenced = tweets.get(target_id) or (tweet if target_id == str(tweet.get("id")) else {})
    author_id = str(referenced.get("author_id", ""))
    handle = brand.handle if author_id == brand.user_id else (users.get(author_id) or {}).get("username")
    out = {"id": target_id, "author": handle, "url": post_url(target_id, handle)}
    return {k: v for k, v in out.items() if v is not None}


def _text(tweet: Raw) -> str:
    """The full text: long posts (over 280 characters) carry it in `note_tweet`."""
    note = tweet.get("note_tweet") or {}
    return str(note.get("text") or tweet.get("text") or "")


def _links(tweet: Raw) -> list[str]:
    urls = (tweet.get("entities") or {}).get("urls") or []
    return [str(u.get("expanded_url") or u.get("url")) for u in urls if u.get("expanded_url") or u.get("url")]
