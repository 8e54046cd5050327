"""A fan's linked social profiles as the fan knows them: platform and handle, not `x:1000002`.

A link names a profile by its key (`platform:user id`), which means nothing to the
person who owns it. The handle comes from what the profile did: the newest stored event
of it names its actor. A profile linked through Connect before it did anything has the
name the platform gave when the fan approved the link; a Mastodon key carries its
account in itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.connect import ConnectedAccount
from storage.models.core import LinkedProfile, StoredEvent

PLATFORM_NAMES = {"x": "X", "facebook": "Facebook", "mastodon": "Mastodon", "instagram": "Instagram"}


@dataclass(frozen=True, slots=True)
class ShownProfile:
    """One active link: its key (what unlinking names), platform and handle as people write them."""

    key: str
    platform: str
    handle: str


def platform_name(profile_key: str) -> str:
    """`X` for `x:2244994945`: the platform of a profile key, as people write it."""
    platform = profile_key.partition(":")[0]
    return PLATFORM_NAMES.get(platform, platform.capitalize())


def active_links(session: Session, fan_id: str) -> list[LinkedProfile]:
    """The fan's links in force, oldest first."""
    query = (
        select(LinkedProfile)
        .where(LinkedProfile.fan_id == fan_id, LinkedProfile.unlinked_at.is_(None))
        .order_by(LinkedProfile.linked_at, LinkedProfile.id)
    )
    return list(session.scalars(query))


def shown_profiles(session: Session, fan_id: str) -> list[ShownProfile]:
    """The fan's links in force, each with the handle it goes by."""
    return [describe(session, link.profile_key) for link in active_links(session, fan_id)]


def describe(session: Session, key: str) -> ShownProfile:
    """One profile by platform and handle: as its newest event names it, else as the
    platform named it at linking, else as its key can."""
    named = _handle_seen(session, key) or _handle_connected(session, key)
    handle = as_written(key, named) if named else _handle_in_key(key)
    return ShownProfile(key, platform_name(key), handle)


def _handle_connected(session: Session, key: str) -> str:
    platform, _, user_id = key.partition(":")
    query = select(ConnectedAccount.handle).where(
        ConnectedAccount.platform == platform, ConnectedAccount.user_id == user_id
    )
    return session.scalar(query) or ""


def _handle_seen(session: Session, key: str) -> str:
    query = (
        select(StoredEvent.payload)
        .where(StoredEvent.profile_key == key)
        .order_by(StoredEvent.seq.desc())
        .limit(1)
    )
    payload = session.scalar(query) or {}
    actor = payload.get("actor") if isinstance(payload, dict) else None
    handle = (actor.get("handle") or actor.get("name")) if isinstance(actor, dict) else None
    return str(handle) if handle else ""


def _handle_in_key(key: str) -> str:
    """A Mastodon key holds the account (`@lena@mastodon.example`); others only a user id."""
    platform, _, user = key.partition(":")
    return as_written(key, user) if platform == "mastodon" else user


def as_written(key: str, handle: str) -> str:
    """X and Mastodon handles with their `@`; Facebook names as they are."""
    if key.startswith(("x:", "mastodon:")) and not handle.startswith("@"):
        return f"@{handle}"
    return handle


def author_label(author: str) -> str:
    """`@kaffee_kritik · X` for the monitoring author key `x:kaffee_kritik`."""
    name = author.partition(":")[2]
    if not name:
        return author
    return f"{as_written(author, name)} · {platform_name(author)}"
