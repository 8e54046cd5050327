"""Rate-limit bookkeeping from the headers every answer carries.

A `RateBook` is hooked on a client's `requests` session (`session.hooks`), so it
sees every answer the vendor library receives, and is asked before each request
whether the bucket still has room. X sends `x-rate-limit-limit|remaining|reset`
per endpoint; the Graph API sends `x-app-usage` (percent of the app's budget);
Mastodon sends `X-RateLimit-Limit|Remaining|Reset` (an ISO time) for the account's
one budget across all endpoints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from connectors.errors import RateLimited

# URL path -> bucket name, for the endpoints the connectors call.
BUCKETS = (
    (re.compile(r"^/2/users/[^/]+/mentions$"), "x.mentions"),
    (re.compile(r"^/2/tweets/[^/]+/quote_tweets$"), "x.quote_tweets"),
    (re.compile(r"^/2/tweets/[^/]+/retweeted_by$"), "x.retweeted_by"),
    (re.compile(r"^/2/tweets/search/recent$"), "x.search_recent"),
    (re.compile(r"^/2/tweets$"), "x.tweets_lookup"),
    (re.compile(r"^/2/users/by/username/[^/]+$"), "x.user_by_username"),
    (re.compile(r"^/v\d+\.\d+/"), "facebook.app"),
    (re.compile(r"^/api/v\d+/"), "mastodon.api"),
)


@dataclass(slots=True)
class Bucket:
    """What the last answer said about one bucket."""

    limit: int
    remaining: int
    reset: str | None  # ISO time the window resets, None if not said

    def reset_at(self) -> datetime | None:
        """`reset` as a datetime."""
        return datetime.fromisoformat(self.reset) if self.reset else None


def bucket_of(url: str) -> str | None:
    """The bucket a request URL falls in."""
    path = requests.utils.urlparse(url).path
    return next((name for pattern, name in BUCKETS if pattern.match(path)), None)


class RateBook:
    """Buckets by name, updated from answers, consulted before requests."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.clock = clock
        self.buckets: dict[str, Bucket] = {}
        self.budget: Callable[[], None] | None = None  # raises when the next request would overspend

    def observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        """A `requests` response hook: read the rate headers of every answer."""
        name = bucket_of(response.url or "")
        if name is not None:
            bucket = _from_headers(name, response.headers, self.clock())
            if bucket is not None:
                self.buckets[name] = bucket
        return response

    def check(self, name: str) -> None:
        """Before a request: raise `RateLimited` when the bucket is empty until its reset,
        or the budget's error when the request could overspend."""
        if self.budget is not None:
            self.budget()
        bucket = self.buckets.get(name)
        if bucket is None or bucket.remaining > 0:
            return
        reset = bucket.reset_at()
        if reset is None or reset > self.clock():
            raise RateLimited(f"{name}: no requests left in this window", reset)

    def export(self) -> dict[str, dict[str, Any]]:
        """The buckets as JSON-ready data (stored with the source's status)."""
        return {name: asdict(b) for name, b in self.buckets.items()}

    def restore(self, data: dict[str, dict[str, Any]]) -> None:
        """Take buckets stored by an earlier process; newer knowledge wins."""
        for name, raw in data.items():
            self.buckets.setdefault(name, Bucket(**raw))


def _from_headers(name: str, headers: Any, now: datetime) -> Bucket | None:
    if "x-rate-limit-remaining" in headers:  # X v2
        return Bucket(
            int(headers.get("x-rate-limit-limit", 0)),
            int(headers["x-rate-limit-remaining"]),
            _reset_time(headers.get("x-rate-limit-reset")),
        )
    if "x-ratelimit-remaining" in headers:  # Mastodon: one budget per account
        try:
            return Bucket(
                int(headers.get("x-ratelimit-limit", 0)),
                int(headers["x-ratelimit-remaining"]),
                _reset_time(headers.get("x-ratelimit-reset")),
            )
        except ValueError:
            return None
    if "x-app-usage" in headers:  # Graph API: percent used of the app's hourly budget
        try:
            used = max(int(v) for v in json.loads(headers["x-app-usage"]).values())
        except (ValueError, TypeError, AttributeError):
            return None
        reset = (now + timedelta(hours=1)).isoformat() if used >= 100 else None
        return Bucket(100, max(0, 100 - used), reset)
    return None


def _reset_time(value: str | None) -> str | None:
    if not value:
        return None
    if value.isdigit():  # X: Unix seconds
        return datetime.fromtimestamp(int(value), UTC).isoformat()
    try:  # an ISO 8601 time, as some APIs send
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()
    except ValueError:
        return None
