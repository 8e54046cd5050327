"""An in-memory rank index of one board period: rank, pages and "around me" in O(log n).

Fans are kept in a sorted list under the key (-points, last change, last event, fan),
which is exactly the order boards are listed in: best score first, and among equal
scores whoever reached it earlier. A fan's rank is standard competition ranking,
1 + the number of fans with strictly more points, found by one bisection, so ties
share a rank (1, 2, 2, 4) however many fans there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from threading import RLock

from sortedcontainers import SortedList

from engine.leaderboards.boards import Standing

Key = tuple[int, datetime, str, str]


class RankIndex:
    """The fans listed on one board period (score above zero), best first.

    Thread-safe: a web process shares one index between its request threads.
    """

    def __init__(self) -> None:
        self._order: SortedList = SortedList()
        self._keys: dict[str, Key] = {}
        self._lock = RLock()

    @classmethod
    def build(cls, rows: Iterable[tuple[str, int, datetime, str]]) -> RankIndex:
        """An index of (fan, points, last change, last event) rows, sorted once (fast for big boards)."""
        index = cls()
        for fan, points, last_at, last_event in rows:
            if points > 0:
                index._keys[fan] = (-points, _utc(last_at), last_event, fan)
        index._order = SortedList(index._keys.values())
        return index

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, fan: str) -> bool:
        return fan in self._keys

    def set(self, fan: str, points: int, last_at: datetime, last_event: str) -> None:
        """Put a fan's current score; a score of zero or less takes the fan off the board."""
        key: Key = (-points, _utc(last_at), last_event, fan)
        with self._lock:
            old = self._keys.pop(fan, None)
            if old is not None:
                self._order.remove(old)
            if points > 0:
                self._keys[fan] = key
                self._order.add(key)

    def rank(self, fan: str) -> int | None:
        """The fan's rank (1 + fans with strictly more points), or None when not listed."""
        with self._lock:
            key = self._keys.get(fan)
            return None if key is None else self._rank_of(key[0])

    def position(self, fan: str) -> int | None:
        """The fan's 0-based place in the listing (ties broken as listed), or None."""
        with self._lock:
            key = self._keys.get(fan)
            return None if key is None else self._order.index(key)

    def page(self, offset: int, size: int) -> list[Standing]:
        """`size` rows from place `offset` (0-based), each with its rank."""
        if offset < 0 or size < 0:
            raise ValueError("offset and size must not be negative")
        with self._lock:
            return self._rows(offset, list(self._order.islice(offset, offset + size)))

    def around(self, fan: str, before: int, after: int) -> list[Standing]:
        """Up to `before` fans listed above the fan, the fan, and up to `after` below."""
        with self._lock:
            place = self.position(fan)
            if place is None:
                return []
            start = max(0, place - before)
            return self._rows(start, list(self._order.islice(start, place + after + 1)))

    def _rank_of(self, negative_points: int) -> int:
        return 1 + self._order.bisect_left((negative_points,))

    def _rows(self, start: int, keys: list[Key]) -> list[Standing]:
        """Rows listed from place `start`: only the first needs a bisection for its rank,
        since every fan listed above a new score has strictly more points."""
        rows: list[Standing] = []
        for place, (negative, last_at, last_event, fan) in enumerate(keys, start):
            if not rows:
                rank = self._rank_of(negative)
            elif rows[-1].points == -negative:
                rank = rows[-1].rank
            else:
                rank = place + 1
            rows.append(Standing(rank, fan, -negative, last_at, last_event))
        return rows


def _utc(value: datetime) -> datetime:
    """Aware UTC datetimes, so naive values read back from SQLite sort with the rest."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
