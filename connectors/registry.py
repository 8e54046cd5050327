"""Every platform's sources, built from connectors.yaml, credentials and a session preparer.

A platform is a module with a `<platform>_sources(settings, token, prepare, rates)`
function; adding one is adding such a module and a line in `PLATFORMS` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from connectors.base import Source
from connectors.config import X_PRICES, ConnectorSettings, credentials
from connectors.http import mount_production, mount_sandbox
from connectors.poller import Pricing
from connectors.rates import RateBook
from connectors.x.sources import BLIND_SPOTS as X_BLIND_SPOTS
from connectors.x.sources import x_sources

SANDBOX_PREFIXES = ("https://api.twitter.com/", "https://api.x.com/", "https://graph.facebook.com/")
Prepare = Callable[[requests.Session], Any]


@dataclass
class Connectors:
    """The sources to poll, with the rate books and prices the poller needs."""

    sources: dict[str, Source] = field(default_factory=dict)
    rates: dict[str, RateBook] = field(default_factory=dict)
    pricing: dict[str, Pricing] = field(default_factory=dict)
    blind_spots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # platforms configured without credentials


def preparer(
    sandbox_url: str | None, timeout: float = 30.0, prefixes: tuple[str, ...] = SANDBOX_PREFIXES
) -> Prepare:
    """How to set up a client's session: the sandbox adapters, or production timeouts."""
    if sandbox_url:
        return lambda session: mount_sandbox(session, sandbox_url, prefixes, timeout)
    return lambda session: mount_production(session, (5.0, timeout))


def build(
    settings: ConnectorSettings,
    sandbox_url: str | None = None,
    page_size: int = 100,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    timeout: float = 30.0,
) -> Connectors:
    """Sources for every configured platform that has a token (any token in the sandbox)."""
    out, prepare = Connectors(), preparer(sandbox_url, timeout)
    if settings.x is not None:
        token = credentials("x") or ("sandbox" if sandbox_url else None)
        if token is None:
            out.missing.append("x")
        else:
            out.rates["x"] = RateBook(clock)
            out.pricing["x"] = Pricing(X_PRICES["post"], X_PRICES["user"], settings.x.monthly_budget_usd)
            out.blind_spots["x"] = X_BLIND_SPOTS
            for source in x_sources(settings.x, token, prepare, out.rates["x"], page_size):
                out.sources[source.name] = source
    _add_facebook(out, settings, sandbox_url, prepare, page_size, clock)
    _add_mastodon(out, settings, sandbox_url, page_size, clock, timeout)
    return out


def _add_facebook(
    out: Connectors,
    settings: ConnectorSettings,
    sandbox_url: str | None,
    prepare: Prepare,
    page_size: int,
    clock: Callable[[], datetime],
) -> None:
    if settings.facebook is None:
        return
    from connectors.facebook.sources import BLIND_SPOTS, facebook_sources

    token = credentials("facebook") or ("sandbox" if sandbox_url else None)
    if token is None:
        out.missing.append("facebook")
        return
    out.rates["facebook"] = RateBook(clock)
    out.blind_spots["facebook"] = BLIND_SPOTS
    for source in facebook_sources(
        settings.facebook, token, prepare, out.rates["facebook"], page_size, clock
    ):
        out.sources[source.name] = source


def _add_mastodon(
    out: Connectors,
    settings: ConnectorSettings,
    sandbox_url: str | None,
    page_size: int,
    clock: Callable[[], datetime],
    timeout: float,
) -> None:
    """Mastodon.py takes its base URL as given: in the sandbox it is the sandbox itself."""
    if settings.mastodon is None:
        return
    from connectors.mastodon.sources import BLIND_SPOTS, mastodon_sources

    token = credentials("mastodon") or ("sandbox" if sandbox_url else None)
    if token is None:
        out.missing.append("mastodon")
        return
    out.rates["mastodon"] = RateBook(clock)
    out.blind_spots["mastodon"] = BLIND_SPOTS
    prepare = preparer(sandbox_url, timeout, (f"{sandbox_url}/",)) if sandbox_url else preparer(None, timeout)
    for source in mastodon_sources(
        settings.mastodon, token, prepare, out.rates["mastodon"], min(page_size, 80), sandbox_url, timeout
    ):
        out.sources[source.name] = source
