"""A small time-bounded cache for public pages that every visitor sees alike.

Per process (each server worker has its own), bounded in size, safe across threads.
A leaderboard a second or two old is fine; the same page rendered a thousand times
a second is not.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, make_response, request
from flask_login import current_user

from web.i18n import current_language

F = TypeVar("F", bound=Callable[..., Any])


class TtlCache:
    """Values kept for `seconds`, at most `size` of them (the oldest go first)."""

    def __init__(self, size: int = 512, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self._clock = clock
        self._items: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        """The value, or None when absent or expired."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[key]
                return None
            return item[1]

    def put(self, key: Any, value: Any, seconds: float) -> None:
        """Keep `value` for `seconds`."""
        with self._lock:
            self._items[key] = (self._clock() + seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


pages = TtlCache()


def cached_for_visitors(view: F) -> F:
    """Serve anonymous visitors a copy rendered at most BOARD_CACHE_SECONDS ago.

    Logged-in visitors see their own rank on the page, so they always get a fresh one.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seconds = current_app.config.get("BOARD_CACHE_SECONDS", 0)
        if not seconds or current_user.is_authenticated:
            return view(*args, **kwargs)
        key = (request.full_path, current_language())
        hit = pages.get(key)
        if hit is not None:
            return Response(hit[0], status=hit[1], mimetype="text/html")
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            pages.put(key, (response.get_data(), response.status_code), seconds)
        return response

    return wrapper  # type: ignore[return-value]
