"""Linking and unlinking a fan's profile: tokens encrypted at rest, `profile_linked` events.

The link's event id is `profile_linked:<fan>:<platform>:<user id>`, so linking a profile
emits one event however often the fan comes back through the flow. Unlinking retracts
that event (the engine stops attributing the profile's activity to the fan from then
on) and deletes the tokens. Linking the profile again after that emits a new event
(the id gets the time appended), so attribution resumes; a `connect` rule's cap keeps
it from earning twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connect.oauth import ConnectError, LinkedProfile
from engine.events import Event
from engine.rules.model import CampaignSet
from pipeline import ingest_in
from storage.encryption import TokenCipher
from storage.models.connect import ConnectedAccount
from storage.models.core import StoredEvent


def link(
    session: Session,
    campaigns: CampaignSet,
    cipher: TokenCipher,
    fan: str,
    profile: LinkedProfile,
    now: datetime,
) -> ConnectedAccount:
    """Store the tokens (encrypted) and emit `profile_linked` for a first link."""
    row = session.scalar(
        select(ConnectedAccount).where(
            ConnectedAccount.platform == profile.platform, ConnectedAccount.user_id == profile.user_id
        )
    )
    if row is not None and row.fan_id != fan:
        raise ConnectError("this profile is linked to another Fanfare account")
    first = row is None
    if row is None:
        row = ConnectedAccount(
            fan_id=fan,
            platform=profile.platform,
            user_id=profile.user_id,
            link_event_id=_link_event_id(session, fan, profile, now),
            linked_at=now,
        )
    row.handle = profile.handle
    row.access_token_enc = cipher.encrypt(profile.access_token)
    row.refresh_token_enc = cipher.encrypt(profile.refresh_token) if profile.refresh_token else None
    row.expires_at = profile.expires_at
    if first:
        session.add(row)
        attrs = {"profile": f"{profile.platform}:{profile.user_id}"}
        # Platforms date posts to the second: a comment written in the second the link was
        # made would otherwise seem older than the link and count for no one.
        at = now.replace(microsecond=0)
        event = Event(row.link_event_id, profile.platform, "profile_linked", at, fan=fan, attrs=attrs)
        ingest_in(session, campaigns, [event], [], source="connect", now=now)
    session.flush()
    return row


def _link_event_id(session: Session, fan: str, profile: LinkedProfile, now: datetime) -> str:
    first = f"profile_linked:{fan}:{profile.platform}:{profile.user_id}"
    if session.get(StoredEvent, first) is None:
        return first
    return f"{first}:{int(now.timestamp())}"


def unlink(session: Session, campaigns: CampaignSet, fan: str, platform: str, now: datetime) -> bool:
    """Retract the link's event and delete the tokens; False when nothing was linked."""
    row = session.scalar(
        select(ConnectedAccount).where(ConnectedAccount.fan_id == fan, ConnectedAccount.platform == platform)
    )
    if row is None:
        return False
    retract = Event(
        f"unlink:{row.link_event_id}", platform, "retract", now, attrs={"retracts": row.link_event_id}
    )
    ingest_in(session, campaigns, [retract], [], source="connect", now=now)
    session.execute(delete(ConnectedAccount).where(ConnectedAccount.id == row.id))
    return True


def links_of(session: Session, fan: str) -> list[ConnectedAccount]:
    """A fan's linked profiles."""
    return list(session.scalars(select(ConnectedAccount).where(ConnectedAccount.fan_id == fan)))
