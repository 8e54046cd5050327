"""Sign-up and authentication: argon2 password hashes and throttled guessing.

Failed logins are stored (not kept in process memory) so that several web workers
throttle together: more than `MAX_FAILURES` failures for one e-mail address or one
client address within `WINDOW` refuse further attempts until the window has passed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.roles import Role
from storage.models.accounts import LoginFailure, User
from storage.models.core import Fan

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verifying against this hash when the address is unknown keeps the answer time the same,
# so timing does not tell which addresses have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A sign-up or login that cannot go ahead; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class Account:
    """What the web layer needs of a user, detached from the session."""

    id: int
    email: str
    role: str
    display_name: str
    fan_id: str | None


def _account(user: User) -> Account:
    return Account(user.id, user.email, user.role, user.display_name, user.fan_id)


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding space."""
    return email.strip().lower()


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role,
    display_name: str,
    now: datetime,
    *,
    fan_id: str | None = None,
) -> Account:
    """A new user; a fan also gets a fan account the engine attributes events to.

    `fan_id` binds the login to a fan account that already exists (imported fans).
    """
    email = normalize_email(email)
    _check_new(email, password, display_name)
    if role == Role.FAN:
        fan_id = fan_id or f"fan-{secrets.token_hex(8)}"
        if session.get(Fan, fan_id) is None:
            session.add(Fan(id=fan_id, kind="account", display_name=display_name.strip(), created_at=now))
    else:
        fan_id = None
    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        role=role.value,
        display_name=display_name.strip(),
        fan_id=fan_id,
        active=True,
        created_at=now,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise AccountError("an account with this e-mail address exists already") from None
    return _account(user)


def _check_new(email: str, password: str, display_name: str) -> None:
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError("that is not an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if not display_name.strip() or len(display_name) > 200:
        raise AccountError("a display name needs 1 to 200 characters")


@dataclass(frozen=True, slots=True)
class LoginResult:
    """An account, or why there is none. Failures are recorded, so the caller commits."""

    account: Account | None
    error: str = ""


def authenticate(session: Session, email: str, password: str, client: str, now: datetime) -> LoginResult:
    """Check credentials; a failure is recorded (and throttled) in the caller's transaction."""
    email = normalize_email(email)
    keys = (f"email:{email}", f"ip:{client}")
    if _throttled(session, keys, now):
        return LoginResult(None, "too many failed attempts; try again in 15 minutes")
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or not _verify(user.password_hash if user else None, password):
        session.add_all(LoginFailure(key=key, at=now) for key in keys)
        return LoginResult(None, "wrong e-mail address or password")
    session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return LoginResult(_account(user))


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _throttled(session: Session, keys: tuple[str, ...], now: datetime) -> bool:
    since = now - WINDOW
    for key in keys:
        query = select(func.count()).where(LoginFailure.key == key, LoginFailure.at > since)
        if (session.scalar(query) or 0) >= MAX_FAILURES:
            return True
    return False


def load_account(session: Session, user_id: int) -> Account | None:
    """The active account with this id, for the login session."""
    user = session.get(User, user_id)
    return _account(user) if user is not None and user.active else None


def forget_old_failures(session: Session, now: datetime) -> int:
    """Drop failures older than the window (a periodic job)."""
    result = session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def change_role(session: Session, user_id: int, role: Role, by_user_id: int) -> Account:
    """Give a staff user another staff role; fans stay fans (their login carries a fan account).

    Nobody changes their own role, so the last admin cannot lock everyone out by accident.
    """
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("no such user")
    if user_id == by_user_id:
        raise AccountError("you cannot change your own role")
    if role == Role.FAN or user.role == Role.FAN:
        raise AccountError("fans and staff are different kinds of accounts; create a new one instead")
    user.role = role.value
    session.flush()
    return _account(user)
