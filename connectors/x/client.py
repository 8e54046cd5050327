"""X API v2 through tweepy's `Client`: the only module that imports tweepy.

Each method makes one request (one page), checks the rate book first, and turns
tweepy's models back into the raw dicts `normalize` reads and its exceptions into
`connectors.errors`. `wait_on_rate_limit` stays off: tweepy would sleep inside a
poll (and retries a 429 without a reset header at once, forever); the poller
decides when to come back instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy

from connectors.errors import Failed, RateLimited, StaleCursor, Transient
from connectors.rates import RateBook
from connectors.redact import install_log_filter, redact

TWEET_FIELDS = [
    "created_at",
    "author_id",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
    "public_metrics",
    "lang",
    "note_tweet",
]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]


@dataclass(frozen=True, slots=True)
class XPage:
    """One answer: items (posts or users) as raw dicts, expansions by id, errors, paging."""

    items: tuple[dict[str, Any], ...]
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: tuple[dict[str, Any], ...] = ()
    next_token: str | None = None
    newest_id: str | None = None

    @property
    def reads(self) -> tuple[int, int]:
        """(posts, users) this answer returned: what X bills."""
        posts = sum(1 for i in self.items if "text" in i) + len(self.tweets)
        users = sum(1 for i in self.items if "username" in i and "text" not in i) + len(self.users)
        return posts, users


class XClient:
    """The calls the X sources make, on a tweepy `Client` whose session the caller prepared."""

    def __init__(
        self, bearer_token: str, prepare: Callable[[requests.Session], Any], rates: RateBook
    ) -> None:
        install_log_filter()
        self.api = tweepy.Client(bearer_token=bearer_token, wait_on_rate_limit=False)
        prepare(self.api.session)
        self.api.session.hooks["response"].append(rates.observe)
        self.rates = rates

    def mentions(self, user_id: str, since_id: str | None, token: str | None, size: int = 100) -> XPage:
        """A page of posts mentioning the user, newest first, after `since_id`."""
        with _translated("x.mentions", self.rates):
            return _page(
                self.api.get_users_mentions(
                    user_id,
                    since_id=since_id,
                    pagination_token=token,
                    max_results=size,
                    tweet_fields=TWEET_FIELDS,
                    user_fields=USER_FIELDS,
                    expansions=EXPANSIONS,
                )
            )

    def search(self, query: str, since_id: str | None, token: str | None, size: int = 100) -> XPage:
        """A page of recent-search results (last 7 days), newest first."""
        with _translated("x.search_recent", self.rates):
            return _page(
                self.api.search_recent_tweets(
                    query,
                    since_id=since_id,
                    next_token=token,
                    max_results=size,
                    tweet_fields=TWEET_FIELDS,
                    user_fields=USER_FIELDS,
                    expansions=EXPANSIONS,
                )
            )

    def quotes(self, post_id: str, token: str | None, size: int = 100) -> XPage:
        """A page of quote posts of a post, newest first (no `since_id` on this endpoint)."""
        with _translated("x.quote_tweets", self.rates):
            return _page(
                self.api.get_quote_tweets(
                    post_id,
                    pagination_token=token,
                    max_results=size,
                    tweet_fields=TWEET_FIELDS,
                    user_fields=USER_FIELDS,
                    expansions=EXPANSIONS,
                )
            )

    def retweeters(self, post_id: str, token: str | None, size: int = 100) -> XPage:
        """A page of users who reposted a post (at most the 100 most recent overall)."""
        with _translated("x.retweeted_by", self.rates):
            return _page(
                self.api.get_retweeters(
                    post_id, pagination_token=token, max_results=size, user_fields=USER_FIELDS
                )
            )

    def lookup(self, ids: list[str]) -> XPage:
        """Posts by id (up to 100); deleted ones come back in `errors`."""
        with _translated("x.tweets_lookup", self.rates):
            return _page(self.api.get_tweets(ids, tweet_fields=["created_at", "author_id"]))


def _raw(model: Any) -> dict[str, Any]:
    return dict(model.data) if hasattr(model, "data") else dict(model)


def _page(response: tweepy.Response) -> XPage:
    """Raw dicts from tweepy's parsed answer (`data is None` on an empty page)."""
    data = response.data or []
    includes = response.includes or {}
    meta = response.meta or {}
    return XPage(
        items=tuple(_raw(item) for item in data),
        users={str(u.id): _raw(u) for u in includes.get("users", [])},
        tweets={str(t.id): _raw(t) for t in includes.get("tweets", [])},
        errors=tuple(response.errors or ()),
        next_token=meta.get("next_token"),
        newest_id=meta.get("newest_id"),
    )


@contextmanager
def _translated(bucket: str, rates: RateBook) -> Iterator[None]:
    """Check the bucket, then map tweepy and transport errors to connector errors."""
    rates.check(bucket)
    try:
        yield
    except tweepy.TooManyRequests as exc:
        reset = datetime.fromtimestamp(exc.reset_time, UTC) if exc.reset_time else None
        capped = "usage-capped" in _problem_type(exc.response)
        raise RateLimited(
            f"{bucket}: 429 {'usage cap reached' if capped else 'rate limited'}", reset, capped=capped
        ) from None
    except tweepy.TwitterServerError as exc:
        raise Transient(f"{bucket}: {exc.response.status_code} {exc.response.reason}") from None
    except tweepy.BadRequest as exc:
        if any("token" in m for m in exc.api_messages):
            raise StaleCursor(f"{bucket}: pagination token refused") from None
        raise Failed(redact(f"{bucket}: 400 {'; '.join(exc.api_messages)}")) from None
    except tweepy.HTTPException as exc:
        raise Failed(redact(f"{bucket}: {exc.response.status_code} {'; '.join(exc.api_messages)}")) from None
    except requests.Timeout:
        raise Transient(f"{bucket}: timed out") from None
    except requests.ConnectionError as exc:
        raise Transient(redact(f"{bucket}: connection failed: {type(exc).__name__}")) from None
    except ValueError:  # a body that is not JSON (requests' JSONDecodeError is a ValueError)
        raise Transient(f"{bucket}: the answer was not valid JSON") from None
    except (KeyError, TypeError) as exc:  # tweepy could not build its models: a post without id or text
        raise Transient(f"{bucket}: the answer lacks a documented field ({exc})") from None


def _problem_type(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("type", "")) if isinstance(body, dict) else ""
