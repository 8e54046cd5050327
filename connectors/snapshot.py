"""Sources that re-read a whole list each poll and compare it with the stored snapshot.

Used where the platform offers no `since` (reposters on X, comments, reactions,
shares and tagged posts on Facebook). New ids become events; ids that vanished
from a complete list become `retract`s (an un-repost, a deleted comment, a
reaction taken back). Each page's batch stores the union of what was seen so far,
so a poll cut short re-emits nothing; only a complete read may retract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.base import (
    Batch,
    Cost,
    Cursor,
    EventDict,
    PollContext,
    age_interval,
    diff_snapshot,
    retract_event,
)

Item = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a list: its items, the token for the next page, what it cost."""

    items: tuple[Item, ...]
    next_token: str | None
    cost: Cost = Cost()


@dataclass(frozen=True, slots=True)
class SnapshotSource:
    """Diff a list against the snapshot; `cap` is the most the platform lists (no retractions at it)."""

    name: str
    platform: str
    fetch: Callable[[str | None], ListPage]
    item_id: Callable[[Item], str | None]
    event_id: Callable[[str], str]
    to_event: Callable[[Item, datetime], EventDict | None]
    base: timedelta
    endpoints: tuple[str, ...]
    blind_spots: tuple[str, ...] = ()
    created: Callable[[Cursor], datetime | None] = lambda cursor: None
    retract_reason: str = "removed on the platform"
    cap: int | None = None
    start: Callable[[PollContext], dict[str, Any]] = lambda ctx: {}  # extra facts kept in the cursor
    summarize: Callable[[dict[str, Any], list[str]], tuple[str, ...]] = lambda facts, seen: ()  # status notes

    def interval(self, now: datetime, cursor: Cursor) -> timedelta:
        """Recent content more often than old."""
        return age_interval(self.base, self.created(cursor), now)

    def poll(self, cursor: Cursor, ctx: PollContext) -> Iterator[Batch]:
        """Every page; the last batch retracts what disappeared from a complete list."""
        facts = {**{k: v for k, v in cursor.items() if k != "seen"}, **self.start(ctx)}
        before: list[str] = list(cursor.get("seen", []))
        seen, run, token = list(before), [], None
        while True:
            page = self.fetch(token)
            ids = [(i, item) for item in page.items if (i := self.item_id(item)) is not None]
            fresh = set(diff_snapshot(seen, [i for i, _ in ids]).new)
            events = [e for i, item in ids if i in fresh and (e := self.to_event(item, ctx.now))]
            run += [i for i, _ in ids]
            seen += [i for i, _ in ids if i in fresh]
            if page.next_token is None:
                break
            yield Batch(tuple(events), {**facts, "seen": seen}, page.cost, len(page.items))
            token = page.next_token
        yield self._closing(facts, before, run, events, page, ctx)

    def _closing(
        self,
        facts: dict[str, Any],
        before: list[str],
        run: list[str],
        events: list[EventDict],
        page: ListPage,
        ctx: PollContext,
    ) -> Batch:
        if self.cap is not None and len(run) >= self.cap:  # a missing id may only have dropped off the list
            note = f"{self.name}: the list is at its cap of {self.cap}; removals cannot be seen"
            cursor = {**facts, "seen": list(dict.fromkeys(before + run))}
            return Batch(tuple(events), cursor, page.cost, len(page.items), notes=(note,))
        gone = diff_snapshot(before, run).gone
        retracts = [
            retract_event(self.platform, self.event_id(i), ctx.now, self.retract_reason) for i in gone
        ]
        notes = self.summarize(facts, run)
        return Batch(
            tuple(events + retracts), {**facts, "seen": run}, page.cost, len(page.items), notes=notes
        )
