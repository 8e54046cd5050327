"""What is kept about a person, and how it is handed out or erased: one registry for all domains.

Every domain that stores personal data registers two functions: an exporter returning
that domain's data about the person (JSON-ready), and an eraser removing it. Adding a
domain is registering those two functions in `default_registry`. Exports run in
registration order; erasures in reverse order, so the account (registered first) is
removed last, after every domain that still needed to know whose data it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.models.accounts import LoginFailure, User

Exporter = Callable[[Session, "Subject"], Any]
Eraser = Callable[[Session, "Subject"], None]


@dataclass(frozen=True, slots=True)
class Subject:
    """The person whose data is asked for: their login and, for a fan, their fan account."""

    user_id: int
    email: str
    fan_id: str | None


@dataclass(frozen=True, slots=True)
class Domain:
    """One place personal data lives."""

    name: str
    export: Exporter
    erase: Eraser


class PrivacyRegistry:
    """The domains in the order they were registered."""

    def __init__(self) -> None:
        self._domains: list[Domain] = []

    def register(self, name: str, export: Exporter, erase: Eraser) -> None:
        """Add a domain; names are unique."""
        if any(d.name == name for d in self._domains):
            raise ValueError(f"privacy domain {name!r} is registered already")
        self._domains.append(Domain(name, export, erase))

    @property
    def names(self) -> list[str]:
        """The registered domains, in order."""
        return [d.name for d in self._domains]

    def export(self, session: Session, subject: Subject) -> dict[str, Any]:
        """Everything every domain keeps about the subject, by domain name."""
        return {d.name: d.export(session, subject) for d in self._domains}

    def erase(self, session: Session, subject: Subject) -> None:
        """Remove the subject's personal data everywhere, in the caller's transaction."""
        for domain in reversed(self._domains):
            domain.erase(session, subject)


def export_account(session: Session, subject: Subject) -> dict[str, Any]:
    """The login: address, name, role, since when (never the password hash)."""
    user = session.get(User, subject.user_id)
    if user is None:
        return {}
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "fan_id": user.fan_id,
        "created_at": user.created_at.isoformat(),
    }


def erase_account(session: Session, subject: Subject) -> None:
    """Delete the login and the failed attempts recorded under its address."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == f"email:{subject.email}"))
    session.execute(delete(User).where(User.id == subject.user_id))


def default_registry() -> PrivacyRegistry:
    """The registry of every domain of this installation."""
    from connect import privacy as connected
    from loyalty import privacy as loyalty
    from monitoring import privacy as monitoring
    from storage import privacy as engine_data
    from storage import redemptions, shared_privacy

    registry = PrivacyRegistry()
    registry.register("account", export_account, erase_account)
    # Erased after the engine's tombstone exists: a partner's credit moves to it.
    registry.register("loyalty", loyalty.export_loyalty, loyalty.erase_loyalty)
    registry.register("engine", engine_data.export_fan, engine_data.erase_fan)
    # Erased before the engine's: they find the fan's row and linked profiles.
    registry.register("redemptions", redemptions.export_redemptions, redemptions.erase_redemptions)
    registry.register("connected_accounts", connected.export_connected, connected.erase_connected)
    registry.register("shared", shared_privacy.export_shared, shared_privacy.erase_shared)
    registry.register("monitoring", monitoring.export_monitoring, monitoring.erase_monitoring)
    return registry
