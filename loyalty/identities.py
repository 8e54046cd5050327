"""E-mail addresses and handles a fan confirmed, by which partners may name the fan.

A fan adds an identity on their page and receives a confirmation link. Fanfare sends no
mail itself: each message is written to the outbox directory (`instance/outbox/`, one
RFC 5322 `.eml` file per message) for the installation's mail relay to pick up (or, on
the demo, for the person trying it to open). The link is a secret, so it never goes to
the log, which says only that a message was written. It works once, for 24 hours, for
the fan who asked. Only confirmed identities resolve, and one identity confirms for one
fan only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.service import EMAIL, normalize_email
from storage.models.loyalty import FanIdentity
from storage.state_store import aware

KINDS = ("email", "handle")
HANDLE = re.compile(r"^[a-z0-9_]{2,30}$")
TOKEN_LIFETIME = timedelta(hours=24)
log = logging.getLogger("fanfare.identities")


class IdentityError(ValueError):
    """An identity that cannot be added or confirmed; the message is safe to show."""


def normalize(kind: str, value: str) -> str:
    """How an identity is stored and looked up: e-mail lower-cased, handle without '@'."""
    value = value.strip()
    return normalize_email(value) if kind == "email" else value.lstrip("@").casefold()


def add_identity(session: Session, fan_id: str, kind: str, value: str, now: datetime) -> str:
    """Record an unconfirmed identity; return the confirmation token (the caller sends it)."""
    if kind not in KINDS:
        raise IdentityError(f"an identity is an email or a handle, not {kind!r}")
    value = normalize(kind, value)
    if kind == "email" and not EMAIL.match(value):
        raise IdentityError("that is not an e-mail address")
    if kind == "handle" and not HANDLE.match(value):
        raise IdentityError("a handle has 2 to 30 characters: a-z, 0-9 and _")
    token = secrets.token_urlsafe(24)
    row = session.scalar(
        select(FanIdentity).where(
            FanIdentity.kind == kind, FanIdentity.value == value, FanIdentity.fan_id == fan_id
        )
    )
    if row is None:
        row = FanIdentity(fan_id=fan_id, kind=kind, value=value, created_at=now)
        session.add(row)
    elif row.confirmed_at is not None:
        raise IdentityError(f"{value} is confirmed already")
    row.token_hash, row.created_at = _digest(token), now
    session.flush()
    return token


def send_confirmation(kind: str, value: str, url: str, outbox: Path, now: datetime) -> Path:
    """Write the confirmation message into `outbox` (see the module); the file written."""
    message = EmailMessage()
    message["Subject"] = f"Confirm your {'e-mail address' if kind == 'email' else 'handle'} for Fanfare"
    message["Date"] = format_datetime(now)
    if kind == "email":
        message["To"] = value
    message.set_content(
        f"Someone, hopefully you, asked Fanfare to name their account by the {kind} {value}.\n"
        f"To confirm it, open this link within 24 hours while logged in:\n\n{url}\n\n"
        "If it was not you, ignore this message.\n"
    )
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    log.info("confirmation message for a new %s identity written to the outbox", kind)
    return path


def confirm(session: Session, fan_id: str, token: str, now: datetime) -> FanIdentity:
    """Confirm the identity this token was made for, if it is the fan's and still fresh."""
    row = session.scalar(select(FanIdentity).where(FanIdentity.token_hash == _digest(token)))
    if row is None or row.fan_id != fan_id or now - (aware(row.created_at) or now) > TOKEN_LIFETIME:
        raise IdentityError("this confirmation link is not valid (any more)")
    if resolve(session, row.kind, row.value) not in (None, fan_id):
        raise IdentityError(f"{row.value} is confirmed for another account")
    row.confirmed_at, row.token_hash = now, None
    return row


def resolve(session: Session, kind: str, value: str) -> str | None:
    """The fan who confirmed this identity, or None."""
    return session.scalar(
        select(FanIdentity.fan_id).where(
            FanIdentity.kind == kind,
            FanIdentity.value == normalize(kind, value),
            FanIdentity.confirmed_at.is_not(None),
        )
    )


def identities_of(session: Session, fan_id: str) -> list[FanIdentity]:
    """A fan's identities, confirmed or waiting."""
    return list(session.scalars(select(FanIdentity).where(FanIdentity.fan_id == fan_id)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
