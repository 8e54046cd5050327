"""Tracked share links: issued to a fan, followed through `/l/<code>`, and checked on shared posts.

A fan shares campaign content through a link made for them (`issue_link`). Each
visit through it is a click-back, counted once per visitor per UTC day: the visitor
is an HMAC of the day, the client address and the user agent under the app's secret
key, so neither the address nor a way to follow a visitor across days is stored
(`record_click`). When a connector sees a post carrying a tracked link (a `share`
with `attrs.tracked_link`), `verify_shares` checks that the code was issued to the
fan whose linked profile wrote the post; a share carrying an unknown code or somebody
else's is stored with `attrs.not_credited` saying why, and earns nothing
(`engine.policy.ScoringPolicy`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.events import parse_time
from storage.models.core import Fan, LinkedProfile
from storage.models.links import LinkClick, TrackedLink

CODE_BYTES = 12  # 96 random bits: 16 URL-safe characters
UNKNOWN_CODE = "unknown link code"
OTHER_FAN = "link code issued to another fan than the post's author"


class LinkError(ValueError):
    """A link cannot be issued (unknown fan, a target that is not an http(s) URL)."""


@dataclass(frozen=True, slots=True)
class LinkClicks:
    """One link with its counted click-backs."""

    code: str
    fan_id: str
    campaign_id: str
    target_url: str
    clicks: int


def issue_link(
    session: Session, fan_id: str, campaign_id: str, target_url: str, now: datetime
) -> TrackedLink:
    """A new link for a fan and campaign; the code is random, never derived from the fan."""
    if session.get(Fan, fan_id) is None:
        raise LinkError(f"no fan {fan_id!r}")
    parts = urlsplit(target_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise LinkError(f"the target must be an http(s) URL, not {target_url!r}")
    link = TrackedLink(
        code=secrets.token_urlsafe(CODE_BYTES),
        fan_id=fan_id,
        campaign_id=campaign_id,
        target_url=target_url,
        created_at=now,
    )
    session.add(link)
    session.flush()
    return link


def visitor_hash(secret: str, day: str, address: str, user_agent: str) -> str:
    """A visitor's key for one day: an HMAC, so the address cannot be recovered or tried."""
    message = f"{day}\n{address}\n{user_agent}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def record_click(
    session: Session, code: str, secret: str, address: str, user_agent: str, now: datetime
) -> str | None:
    """Count a click-back (once per visitor per day) and return the target; None for an unknown code."""
    link = session.get(TrackedLink, code)
    if link is None:
        return None
    day = now.date().isoformat()
    values = {"code": code, "day": day, "visitor": visitor_hash(secret, day, address, user_agent), "at": now}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(LinkClick).values(**values).on_conflict_do_nothing())
    return link.target_url


def link_code(url: str) -> str:
    """The code of a tracked link: the last segment of its path (`https://acme.example/s/<code>`)."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def verify_shares(session: Session, events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The events, with each tracked-link share marked as credited to its code's fan or not (and why)."""
    out = []
    for raw in events:
        event = dict(raw)
        attrs = event.get("attrs")
        if event.get("type") == "share" and isinstance(attrs, Mapping) and attrs.get("tracked_link"):
            event["attrs"] = {**attrs, **_verdict(session, event, str(attrs["tracked_link"]))}
        out.append(event)
    return out


def _verdict(session: Session, event: Mapping[str, Any], url: str) -> dict[str, str]:
    code = link_code(url)
    link = session.get(TrackedLink, code)
    if link is None:
        return {"link_code": code, "not_credited": UNKNOWN_CODE}
    author = _author_fan(session, event)
    if author != link.fan_id:
        return {"link_code": code, "not_credited": OTHER_FAN}
    return {"link_code": code, "link_fan": link.fan_id}


def _author_fan(session: Session, event: Mapping[str, Any]) -> str | None:
    """The fan whose linked profile wrote the post, at the time it was written."""
    actor = event.get("actor")
    if not isinstance(actor, Mapping) or not actor.get("id") or not isinstance(event.get("at"), str):
        return None
    try:
        at = parse_time(event["at"])
    except ValueError:
        return None
    key = f"{event.get('platform')}:{actor['id']}"
    return session.scalar(
        select(LinkedProfile.fan_id)
        .where(LinkedProfile.profile_key == key, LinkedProfile.linked_at <= at)
        .where(or_(LinkedProfile.unlinked_at.is_(None), LinkedProfile.unlinked_at > at))
        .order_by(LinkedProfile.linked_at.desc())
        .limit(1)
    )


def link_clicks(
    session: Session, *, fan_id: str | None = None, campaign_id: str | None = None
) -> list[LinkClicks]:
    """Every link (of a fan, of a campaign) with its counted click-backs, most clicked first."""
    counted = func.count(LinkClick.id)
    query = (
        select(TrackedLink, counted)
        .outerjoin(LinkClick, LinkClick.code == TrackedLink.code)
        .group_by(TrackedLink.code)
        .order_by(counted.desc(), TrackedLink.created_at, TrackedLink.code)
    )
    if fan_id is not None:
        query = query.where(TrackedLink.fan_id == fan_id)
    if campaign_id is not None:
        query = query.where(TrackedLink.campaign_id == campaign_id)
    return [
        LinkClicks(link.code, link.fan_id, link.campaign_id, link.target_url, clicks)
        for link, clicks in session.execute(query)
    ]


def totals(rows: Iterable[LinkClicks], by: str) -> dict[str, int]:
    """Click-backs summed per fan (`by="fan_id"`) or per campaign (`by="campaign_id"`)."""
    out: dict[str, int] = {}
    for row in rows:
        key = getattr(row, by)
        out[key] = out.get(key, 0) + row.clicks
    return out
