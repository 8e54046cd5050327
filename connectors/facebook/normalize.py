"""Raw Graph API objects to event dicts: pure functions.

Comments, shares and tagged posts carry their own time; reactions have none, so
a reaction's `at` is when it was first seen. An item without `from` (a user's
post the token may not attribute) makes no event: it cannot be tied to a profile.
The Page's own comments make none either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.base import EventDict, iso

Raw = Mapping[str, Any]
HASHTAG = re.compile(r"#(\w+)")
LINK = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True, slots=True)
class Page:
    """The brand's Facebook Page."""

    id: str
    name: str


def _actor(item: Raw) -> dict[str, Any] | None:
    author = item.get("from") or {}
    if not author.get("id"):
        return None
    return {k: v for k, v in {"id": str(author["id"]), "name": author.get("name")}.items() if v is not None}


def _post(post_id: str, page: Page) -> dict[str, str]:
    _, _, local = post_id.partition("_")
    return {
        "id": post_id,
        "author": page.name,
        "url": f"https://www.facebook.com/{page.id}/posts/{local or post_id}",
    }


def _written(item: Raw) -> dict[str, Any]:
    text = str(item.get("message") or "")
    return {"text": text, "hashtags": HASHTAG.findall(text), "links": LINK.findall(text)}


def comment_event(item: Raw, post_id: str, page: Page) -> EventDict | None:
    """A comment (or reply) on a Page post."""
    actor = _actor(item)
    if actor is None or actor["id"] == page.id:
        return None
    event: EventDict = {
        "platform": "facebook",
        "type": "comment",
        "actor": actor,
        "post": _post(post_id, page),
    }
    if item.get("id"):
        event["id"] = f"facebook:comment:{item['id']}"
    if item.get("created_time"):
        event["at"] = item["created_time"]
    event.update(_written(item))
    event["attrs"] = {"reply_to": item["parent"]["id"]} if isinstance(item.get("parent"), dict) else {}
    return event


def reaction_event(item: Raw, post_id: str, page: Page, seen_at: datetime) -> EventDict | None:
    """A reaction on a Page post; `attrs.reaction` is like, love, wow..."""
    if not item.get("id") or str(item["id"]) == page.id:
        return None
    actor = {k: v for k, v in {"id": str(item["id"]), "name": item.get("name")}.items() if v is not None}
    return {
        "id": f"facebook:like:{post_id}:{item['id']}",
        "platform": "facebook",
        "type": "like",
        "at": iso(seen_at),
        "actor": actor,
        "post": _post(post_id, page),
        "attrs": {"reaction": str(item.get("type", "LIKE")).lower()},
    }


def share_event(item: Raw, post_id: str, page: Page) -> EventDict | None:
    """A visible share of a Page post."""
    actor = _actor(item)
    if actor is None:
        return None
    event: EventDict = {"platform": "facebook", "type": "share", "actor": actor, "post": _post(post_id, page)}
    if item.get("id"):
        event["id"] = f"facebook:share:{item['id']}"
    if item.get("created_time"):
        event["at"] = item["created_time"]
    event.update(_written(item))
    event["attrs"] = {"permalink": item["permalink_url"]} if item.get("permalink_url") else {}
    return event


def tagged_event(item: Raw, page: Page) -> EventDict | None:
    """A post that tags the Page (a mention)."""
    actor = _actor(item)
    if actor is None:
        return None
    event: EventDict = {"platform": "facebook", "type": "mention", "actor": actor}
    if item.get("id"):
        event["id"] = f"facebook:mention:{item['id']}"
    if item.get("created_time"):
        event["at"] = item["created_time"]
    event.update(_written(item))
    event["mentions"] = [page.name]
    event["attrs"] = {"permalink": item["permalink_url"]} if item.get("permalink_url") else {}
    return event
