"""Transport adapters mounted on the vendor clients' own `requests` sessions.

The X and Facebook client libraries keep a plain `requests.Session`; everything
that differs between production and the sandbox is which adapters are mounted on
it. Production mounts `TimeoutAdapter` (tweepy passes no timeout, so a hung
connection would block a poll forever). The sandbox mounts `LoopbackAdapter`,
which sends the platform's URL to a local server instead, and `NoNetworkAdapter`
everywhere else, so nothing can reach the internet by accident. The library code
that builds requests, signs them, parses answers and raises errors is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)


class TimeoutAdapter(HTTPAdapter):
    """An adapter that gives every request a timeout when the caller set none."""

    def __init__(self, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT, **kwargs: Any) -> None:
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send with the default timeout when none was given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class LoopbackAdapter(TimeoutAdapter):
    """Send requests for a platform's host to a local server, keeping path and query."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        target = urlsplit(base_url)
        if target.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError(f"the sandbox must run on this machine, not {target.hostname!r}")
        self.scheme, self.netloc = target.scheme, target.netloc
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Rewrite scheme and host, send, and give the response its original URL back."""
        original = request.url or ""
        parts = urlsplit(original)
        request.url = urlunsplit((self.scheme, self.netloc, parts.path, parts.query, parts.fragment))
        kwargs["proxies"] = {}
        response = super().send(request, **kwargs)
        request.url = original
        response.url = original
        return response


class NoNetworkAdapter(HTTPAdapter):
    """Refuse every request: the sandbox session must never leave the machine."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Fail fast, naming the host (never the query, which may hold a token)."""
        host = urlsplit(request.url or "").hostname
        raise requests.ConnectionError(f"network access to {host!r} is disabled in the sandbox")


def mount_sandbox(
    session: requests.Session, base_url: str, prefixes: Iterable[str], timeout: float = 30.0
) -> requests.Session:
    """Route `prefixes` (e.g. "https://api.twitter.com/") to the sandbox; refuse all else."""
    session.trust_env = False  # no proxy or netrc from the environment
    session.mount("https://", NoNetworkAdapter())
    session.mount("http://", NoNetworkAdapter())
    for prefix in prefixes:
        session.mount(prefix, LoopbackAdapter(base_url, timeout=timeout))
    return session


def mount_production(
    session: requests.Session, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT
) -> None:
    """Give every request on the session a timeout."""
    session.mount("https://", TimeoutAdapter(timeout))
    session.mount("http://", TimeoutAdapter(timeout))
