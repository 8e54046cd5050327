"""What can go wrong while polling, in terms the poller acts on (no vendor types)."""

from __future__ import annotations

from datetime import datetime


class ConnectorError(Exception):
    """A poll could not go on; the message never contains a token."""


class RateLimited(ConnectorError):
    """The platform said stop until `reset_at`; `capped` means the monthly usage cap, not a window."""

    def __init__(self, message: str, reset_at: datetime | None, *, capped: bool = False) -> None:
        super().__init__(message)
        self.reset_at = reset_at
        self.capped = capped


class Transient(ConnectorError):
    """A 5xx, a timeout, a dropped connection or a garbled answer: try again later."""


class Failed(ConnectorError):
    """Needs a person: bad credentials, missing permission, a request the platform rejects."""


class StaleCursor(ConnectorError):
    """The stored pagination token is no longer accepted: start again from the last checkpoint."""


class OverBudget(ConnectorError):
    """The configured monthly spend would be exceeded by the next request."""
