"""Offline claim codes: single-use, unguessable, expiring; a fan enters one and gets a `checkin`.

A code is 10 characters from a 31-letter alphabet without look-alikes (no 0/O, 1/I/L):
31**10 ≈ 8·10**14, about 49 bits, drawn with `secrets`. Only its SHA-256 digest is kept.
Using it is one conditional UPDATE (`... WHERE used_at IS NULL AND expires_at > now`),
so of several submissions at once exactly one wins. Wrong codes are counted per fan and
per client address, in the database, and more than `MAX_FAILURES` within `WINDOW` stop
further tries until the window has passed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.events import Event
from engine.rules.model import CampaignSet
from loyalty import webhooks
from loyalty.earn import scoped
from pipeline import ingest_in
from storage.db import share_engine_state
from storage.models.loyalty import ClaimCode, ClaimFailure, Partner
from storage.state_store import aware

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
MAX_BATCH = 1000


class ClaimError(ValueError):
    """A code that cannot be issued or claimed; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class Claimed:
    """What a fan got for a code, or why nothing (`error`)."""

    partner: str = ""
    points: int = 0
    event_id: str = ""
    error: str = ""


def new_code() -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """A code as printed: two groups of five (`7KQ2M-XW9PA`)."""
    return f"{code[:5]}-{code[5:]}"


def normalize(text: str) -> str:
    """What the fan typed, as stored: upper-case, without spaces and dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def digest(code: str) -> str:
    """The stored form of a code."""
    return hashlib.sha256(normalize(code).encode()).hexdigest()


def issue(
    session: Session,
    partner: Partner,
    count: int,
    expires_at: datetime,
    now: datetime,
    *,
    value: int | None = None,
    campaign: str | None = None,
    label: str = "",
) -> list[str]:
    """Make `count` codes for a partner; the returned codes are their only plain copies."""
    if not 1 <= count <= MAX_BATCH:
        raise ClaimError(f"issue 1 to {MAX_BATCH} codes at a time")
    if expires_at <= now:
        raise ClaimError("a code must expire in the future")
    if value is not None and not 1 <= value <= 100_000:
        raise ClaimError("a code's value is 1 to 100000 points")
    if campaign is not None and campaign not in (partner.campaigns or []):
        raise ClaimError(f"{partner.slug} does not issue into campaign {campaign!r}")
    codes = [new_code() for _ in range(count)]
    session.add_all(
        ClaimCode(
            partner_id=partner.id,
            code_hash=digest(code),
            campaign=campaign,
            value=value,
            label=label[:200],
            created_at=now,
            expires_at=expires_at,
        )
        for code in codes
    )
    session.flush()
    return codes


def throttled(session: Session, fan: str, client: str, now: datetime) -> bool:
    """Whether this fan or this client address guessed wrong too often lately."""
    for key in (f"fan:{fan}", f"ip:{client}"):
        query = select(func.count()).where(ClaimFailure.key == key, ClaimFailure.at > now - WINDOW)
        if (session.scalar(query) or 0) >= MAX_FAILURES:
            return True
    return False


def claim(
    session: Session, campaigns: CampaignSet, fan: str, typed: str, client: str, now: datetime
) -> Claimed:
    """Use a code for a fan, in the caller's transaction, which commits in every case:
    a wrong code is recorded (and throttled) like a failed login."""
    if throttled(session, fan, client, now):
        return Claimed(error="too many wrong codes; try again in 15 minutes")
    # One winner: the UPDATE takes the code's row (a concurrent twin waits for it, then finds
    # it used); the fan's points are applied under the fan's own lock (`ingest_in`).
    share_engine_state(session)
    won = session.execute(
        update(ClaimCode)
        .where(ClaimCode.code_hash == digest(typed), ClaimCode.used_at.is_(None), ClaimCode.expires_at > now)
        .values(used_at=now, used_by=fan)
        .returning(ClaimCode.id, ClaimCode.partner_id, ClaimCode.campaign, ClaimCode.value)
    ).first()
    if won is None:
        session.add_all(ClaimFailure(key=key, at=now) for key in (f"fan:{fan}", f"ip:{client}"))
        return Claimed(error=_why_not(session, typed, now))
    code_id, partner_id, campaign, value = won
    partner = session.get(Partner, partner_id)
    assert partner is not None
    attrs: dict[str, object] = {"code": str(code_id), "partner": partner.slug}
    if value is not None:
        attrs["value"] = value
    event = Event(f"checkin:code:{code_id}", "partner", "checkin", now, fan=fan, attrs=attrs)
    allowed = (campaign,) if campaign else tuple(partner.campaigns or ())
    rules = scoped(campaigns, allowed)
    applied = ingest_in(session, rules, [event], [], source="claim-code", now=now)
    entries = [e for e in applied.entries if e.event_id == event.id]
    points = sum(e.points for e in entries)
    body = {"id": event.id, "fan": fan, "points": points, "code": str(code_id)}
    webhooks.enqueue(session, partner.id, "points.credited", event.id, body, now)
    return Claimed(partner.name, points, event.id)


def _why_not(session: Session, typed: str, now: datetime) -> str:
    row = session.scalar(select(ClaimCode).where(ClaimCode.code_hash == digest(typed)))
    if row is None:
        return "this code is not valid"
    if row.used_at is not None:
        return "this code has been used already"
    expires = aware(row.expires_at)
    return "this code has expired" if expires is not None and expires <= now else "this code is not valid"


def forget_old_failures(session: Session, now: datetime) -> int:
    """Drop failures older than the window (a periodic job)."""
    result = session.execute(ClaimFailure.__table__.delete().where(ClaimFailure.at <= now - WINDOW))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
