"""The Graph API through facebook-sdk's `GraphAPI`: the only module that imports facebook-sdk.

facebook-sdk 3.1.0 (2018) only accepts versions 2.8-3.1, long expired, which the
platform silently serves as its oldest live version; the version is pinned to
v26.0 after construction. It drops the HTTP status and reads errors from the
body, so errors are classified by their Graph error code. Pages are read one at
a time with the `after` cursor, never by following `paging.next` (which carries
the token, and which is never stored or logged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import facebook
import requests

from connectors.errors import Failed, RateLimited, Transient
from connectors.rates import RateBook
from connectors.redact import install_log_filter, redact
from connectors.snapshot import ListPage

GRAPH_VERSION = "v26.0"
RATE_CODES = frozenset({4, 17, 32, 613, 80001})
TRANSIENT_CODES = frozenset({1, 2})
POST_FIELDS = (
    "id,created_time,message,permalink_url,shares,"
    "comments.summary(true).limit(0),reactions.summary(total_count).limit(0)"
)


class GraphClient:
    """The Graph calls the Facebook sources make."""

    def __init__(
        self,
        token: str,
        prepare: Callable[[requests.Session], Any],
        rates: RateBook,
        clock: Callable[[], datetime],
    ) -> None:
        install_log_filter()
        session = requests.Session()
        prepare(session)
        session.hooks["response"].append(rates.observe)
        self.api = facebook.GraphAPI(access_token=token, session=session, timeout=30)
        self.api.version = GRAPH_VERSION
        self.rates, self.clock = rates, clock

    def post(self, post_id: str) -> dict[str, Any]:
        """A Page post with its share, comment and reaction counts."""
        with self._translated("post"):
            return dict(self.api.get_object(post_id, fields=POST_FIELDS))

    def edge(
        self, object_id: str, edge: str, after: str | None, fields: str, limit: int = 100, **extra: str
    ) -> ListPage:
        """One page of an edge (`comments`, `reactions`, `sharedposts`, `tagged`)."""
        args = {"fields": fields, "limit": str(limit), **extra}
        if after:
            args["after"] = after
        with self._translated(edge):
            page = self.api.get_connections(object_id, edge, **args)
        paging = page.get("paging") or {}
        more = paging.get("next") is not None
        return ListPage(
            tuple(page.get("data") or ()), (paging.get("cursors") or {}).get("after") if more else None
        )

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        self.rates.check("facebook.app")
        try:
            yield
        except facebook.GraphAPIError as exc:
            raise _classified(what, exc, self.clock()) from None
        except requests.Timeout:
            raise Transient(f"facebook {what}: timed out") from None
        except requests.ConnectionError as exc:
            raise Transient(f"facebook {what}: connection failed: {type(exc).__name__}") from None
        except (ValueError, KeyError):  # not JSON, or no content type
            raise Transient(f"facebook {what}: the answer was not valid JSON") from None


def _classified(what: str, exc: facebook.GraphAPIError, now: datetime) -> Exception:
    code = exc.code
    message = redact(f"facebook {what}: ({code}) {exc.message}")
    if code in RATE_CODES:
        return RateLimited(message, now + timedelta(hours=1))
    transient = isinstance(exc.result, dict) and (exc.result.get("error") or {}).get("is_transient")
    if code in TRANSIENT_CODES or transient or code is None:
        return Transient(message)
    return Failed(message)
