"""Mastodon notifications (as plain JSON) to event dicts: pure functions, no network, no database.

The brand account's notifications say what fans did with its statuses:

* `mention`: a status that mentions the brand. A reply to one of the brand's
  statuses is a `reply` (its `post` is the brand status), any other a `mention`.
* `quote` (Mastodon 4.5+): a status quoting the brand's is a `quote`.
* `reblog` (a boost) is a `share` of the brand status, at the time of the reblog.
* `favourite` is a `like` (`attrs.reaction = "favourite"`).

As on X, a status's type depends on the status alone, so a status seen through two
notifications has one id: a tracked share link makes it a `share`, an accepted quote
a `quote`, a reply to the brand a `reply`, anything else a `mention`.

Account ids are local to the instance that serves them, so the actor's id is the
account's full address `user@domain`, the same from every instance (what a fan
links). Content is HTML; its text is kept (tags stripped, entities decoded,
paragraphs and line breaks as newlines). Followers-only and direct statuses are not
public and make no event; neither does the brand's own activity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from connectors.base import EventDict

Raw = Mapping[str, Any]
PUBLIC = frozenset({"public", "unlisted"})
STATUS_TYPES = ("share", "quote", "reply", "mention")  # events made from a fan's own status


@dataclass(frozen=True, slots=True)
class Brand:
    """The brand's Mastodon account, its instance's domain, and the tracked share links."""

    account_id: str
    acct: str
    domain: str
    tracked_link_prefix: str | None = None


@dataclass(slots=True)
class Content:
    """What a status's HTML says: its text, hashtags as written, and links (not mentions or tags)."""

    text: str = ""
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _ContentParser(HTMLParser):
    """Text of Mastodon's status HTML (`<p>`, `<br>`, `<a>`, `<span>`), with its tags and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hashtags: list[str] = []
        self.links: list[str] = []
        self._anchor: tuple[str, list[str]] | None = None  # (class, text inside)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "a":
            kind = values.get("class") or ""
            href = values.get("href")
            if href and "mention" not in kind.split() and "hashtag" not in kind.split():
                self.links.append(href)
            self._anchor = (kind, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            kind, inside = self._anchor
            if "hashtag" in kind.split():
                self.hashtags.append("".join(inside).lstrip("#"))
            self._anchor = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)


def read_content(html: str) -> Content:
    """Text, hashtags and links of a status's HTML content."""
    parser = _ContentParser()
    parser.feed(html or "")
    parser.close()
    return Content("".join(parser.parts).strip(), parser.hashtags, list(dict.fromkeys(parser.links)))


def actor(account: Raw | None, brand: Brand) -> dict[str, Any] | None:
    """The acting profile: `user@domain` as id and handle, display name, followers."""
    if not account or not account.get("acct"):
        return None
    acct = str(account["acct"])
    address = acct if "@" in acct else f"{acct}@{brand.domain}"
    out: dict[str, Any] = {"id": address, "handle": address, "name": account.get("display_name") or None}
    followers = account.get("followers_count")
    if isinstance(followers, int) and not isinstance(followers, bool):
        out["followers"] = followers
    return {k: v for k, v in out.items() if v is not None}


def status_post(status: Raw, brand: Brand) -> dict[str, Any]:
    """A status as an event's `post`: id, author (full address) and public URL."""
    author = actor(status.get("account"), brand)
    out = {
        "id": str(status.get("id")),
        "author": author["handle"] if author else None,
        "url": status.get("url"),
    }
    return {k: v for k, v in out.items() if v is not None}


def tracked_link(links: list[str], brand: Brand) -> str | None:
    """The first link that is one of the brand's tracked share links."""
    if not brand.tracked_link_prefix:
        return None
    return next((link for link in links if link.startswith(brand.tracked_link_prefix)), None)


def _quoted(status: Raw) -> Raw | None:
    quote = status.get("quote")
    if not isinstance(quote, Mapping) or quote.get("state") != "accepted":
        return None
    quoted = quote.get("quoted_status")
    return quoted if isinstance(quoted, Mapping) else None


def classify(status: Raw, content: Content, brand: Brand) -> str:
    """The event type of a fan's status (see the module's docstring)."""
    if tracked_link(content.links, brand) is not None:
        return "share"
    if _quoted(status) is not None:
        return "quote"
    if str(status.get("in_reply_to_account_id")) == brand.account_id and status.get("in_reply_to_id"):
        return "reply"
    return "mention"


def status_event(status: Raw, brand: Brand, account: Raw | None = None) -> EventDict | None:
    """The event for a fan's status that mentions, replies to or quotes the brand.

    `account` stands in for the status's own when a partial payload lacks it.
    """
    if status.get("visibility") not in PUBLIC:
        return None
    content = read_content(str(status.get("content") or ""))
    kind = classify(status, content, brand)
    event: EventDict = {"platform": "mastodon", "type": kind, "attrs": {}}
    if status.get("id") is not None:
        event["id"] = f"mastodon:{kind}:{status['id']}"
    if status.get("created_at"):
        event["at"] = status["created_at"]
    who = actor(status.get("account") or account, brand)
    if who is not None:
        event["actor"] = who
    quoted = _quoted(status)
    if kind == "quote" and quoted is not None:
        event["post"] = status_post(quoted, brand)
    elif kind == "reply":
        replied = str(status["in_reply_to_id"])
        event["post"] = {
            "id": replied,
            "author": f"{brand.acct}@{brand.domain}",
            "url": f"https://{brand.domain}/@{brand.acct}/{replied}",
        }
    elif kind == "share":
        event["post"] = status_post(status, brand)
        event["attrs"]["tracked_link"] = tracked_link(content.links, brand)
    spoiler = str(status.get("spoiler_text") or "")
    event["text"] = f"{spoiler}\n\n{content.text}" if spoiler else content.text
    event["hashtags"] = content.hashtags or [
        str(t["name"]) for t in status.get("tags") or [] if t.get("name")
    ]
    event["mentions"] = [str(m["acct"]) for m in status.get("mentions") or [] if m.get("acct")]
    event["links"] = content.links
    return event


def engagement_event(notification: Raw, brand: Brand) -> EventDict | None:
    """A reblog (`share`) or favourite (`like`) of a brand status, at the time it happened."""
    kind = notification.get("type")
    status, account = notification.get("status") or {}, notification.get("account") or {}
    if kind not in {"reblog", "favourite"} or not status.get("id") or not account.get("id"):
        return None
    event: EventDict = {
        "id": f"mastodon:{kind}:{status['id']}:{account['id']}",
        "platform": "mastodon",
        "type": "share" if kind == "reblog" else "like",
        "post": status_post(status, brand),
        "attrs": {"reblog": True} if kind == "reblog" else {"reaction": "favourite"},
    }
    if notification.get("created_at"):
        event["at"] = notification["created_at"]
    who = actor(account, brand)
    if who is not None:
        event["actor"] = who
    return event


def notification_event(notification: Raw, brand: Brand) -> EventDict | None:
    """The event for one notification, or None (the brand's own activity, other types, private posts)."""
    account = notification.get("account") or {}
    if str(account.get("id")) == brand.account_id:
        return None
    kind = notification.get("type")
    if kind in {"reblog", "favourite"}:
        return engagement_event(notification, brand)
    status = notification.get("status")
    if kind in {"mention", "quote"} and isinstance(status, Mapping):
        return status_event(status, brand, account)
    return None
