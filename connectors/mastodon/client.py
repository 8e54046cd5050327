"""The Mastodon REST API through Mastodon.py: the only module that imports it.

`ratelimit_method="throw"`: the library's default ("wait") sleeps inside a poll
until the budget resets; here a 429 becomes `RateLimited` with the reset the
server named in `X-RateLimit-Reset` (read by the rate book's hook on the same
session), and the poller decides when to come back. Mastodon.py turns answers
into typed objects with `datetime`s and, depending on the type, integer ids;
every method turns them back into plain JSON-like dicts (ids as strings, times
as ISO 8601 in UTC), which is what `normalize` reads. Pages are followed with
the library's own `fetch_next` / `fetch_previous`, from the `Link` headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from connectors.errors import Failed, RateLimited, Transient
from connectors.rates import RateBook
from connectors.redact import install_log_filter, redact

BUCKET = "mastodon.api"  # Mastodon counts every request of an account against one budget
NOTIFICATION_TYPES = ["mention", "reblog", "quote", "favourite"]
MAX_LIMIT = 80
ACCOUNTS_PAGE = 40  # reblogged_by / favourited_by: Mastodon.py sends no limit, the server's default is 40


@dataclass(frozen=True, slots=True)
class MastodonPage:
    """One answer: plain items, and the library's page to follow its `Link`s from (or None)."""

    items: tuple[dict[str, Any], ...]
    handle: Any = None  # Mastodon.py's PaginatableList, for fetch_next / fetch_previous
    full: bool = False  # as many items as asked for: there may be more


class MastodonClient:
    """The calls the Mastodon sources make, on a session the caller prepared."""

    def __init__(
        self,
        access_token: str,
        api_base_url: str,
        prepare: Callable[[requests.Session], Any],
        rates: RateBook,
        page_size: int = 40,
        timeout: float = 30.0,
    ) -> None:
        install_log_filter()
        session = requests.Session()
        prepare(session)
        session.hooks["response"].append(rates.observe)
        self.api = Mastodon(
            access_token=access_token,
            api_base_url=api_base_url,
            ratelimit_method="throw",
            session=session,
            request_timeout=timeout,  # passed on every request, so the adapters' default never applies
        )
        self.rates = rates
        self.size = max(1, min(MAX_LIMIT, page_size))

    def notifications_after(self, min_id: str) -> MastodonPage:
        """The oldest page of brand notifications newer than `min_id` (shown newest first)."""
        with _translated("notifications", self.rates):
            return self._page(
                self.api.notifications(types=NOTIFICATION_TYPES, min_id=min_id, limit=self.size)
            )

    def newer(self, page: MastodonPage) -> MastodonPage | None:
        """The page after `page` towards the present (the `prev` link's `min_id`); None without a link."""
        if getattr(page.handle, "_pagination_prev", None) is None:
            return None
        with _translated("notifications", self.rates):
            return self._page(self.api.fetch_previous(page.handle))

    def accounts(self, kind: str, status_id: str, page: MastodonPage | None = None) -> MastodonPage | None:
        """Who reblogged (`kind="reblog"`) or favourited a status, a page at a time; None if it is gone."""
        call = self.api.status_reblogged_by if kind == "reblog" else self.api.status_favourited_by
        with _translated(f"{kind}s of a status", self.rates):
            if page is not None and getattr(page.handle, "_pagination_next", None) is None:
                return None
            try:
                answer = call(status_id) if page is None else self.api.fetch_next(page.handle)
                return self._page(answer, ACCOUNTS_PAGE)
            except MastodonNotFoundError:
                return None

    def status(self, status_id: str) -> dict[str, Any] | None:
        """A status, or None when it was deleted (404)."""
        with _translated("status", self.rates):
            try:
                return plain(self.api.status(status_id))  # type: ignore[no-any-return]
            except MastodonNotFoundError:
                return None

    def _page(self, answer: Any, size: int | None = None) -> MastodonPage:
        items = tuple(plain(item) for item in answer or ())
        return MastodonPage(items, answer, full=len(items) >= (size or self.size))


def plain(value: Any) -> Any:
    """Mastodon.py's typed answer as JSON-like data: dicts, lists, string ids, ISO times in UTC."""
    if isinstance(value, Mapping):
        return {str(k): (str(v) if _is_id(k, v) else plain(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        at = value if value.tzinfo else value.replace(tzinfo=UTC)
        return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value


def _is_id(key: object, value: object) -> bool:
    return (
        (str(key) == "id" or str(key).endswith("_id"))
        and isinstance(value, int)
        and not isinstance(value, bool)
    )


@contextmanager
def _translated(what: str, rates: RateBook) -> Iterator[None]:
    """Check the budget, then map Mastodon.py's errors to connector errors."""
    rates.check(BUCKET)
    try:
        yield
    except MastodonRatelimitError:
        bucket = rates.buckets.get(BUCKET)
        raise RateLimited(
            f"mastodon {what}: 429 rate limited", bucket.reset_at() if bucket else None
        ) from None
    except MastodonServerError as exc:
        raise Transient(f"mastodon {what}: {_status(exc)} server error") from None
    except MastodonNetworkError as exc:
        timed_out = "timed out" in str(exc).lower() or "timeout" in str(exc).lower()
        raise Transient(f"mastodon {what}: {'timed out' if timed_out else 'connection failed'}") from None
    except MastodonUnauthorizedError:
        raise Failed(f"mastodon {what}: 401 the access token was refused") from None
    except MastodonAPIError as exc:
        if str(exc.args[0] if exc.args else "").startswith("Could not parse response as JSON"):
            raise Transient(f"mastodon {what}: the answer was not valid JSON") from None
        raise Failed(redact(f"mastodon {what}: {_status(exc)} {_message(exc)}")) from None


def _status(exc: Exception) -> str:
    return str(exc.args[1]) if len(exc.args) > 1 else "?"


def _message(exc: Exception) -> str:
    return str(exc.args[3]) if len(exc.args) > 3 and exc.args[3] else str(exc.args[0] if exc.args else "")
