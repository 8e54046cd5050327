""" "What would this do": a draft and the campaigns in force, run over the same stored events.

Both runs use the one engine in memory on the events stored in the last `days` days
(rebuilt from their stored payloads, in time order), starting from the profile links
that were made before the window. Nothing is written; the difference is what the
draft would have awarded otherwise, per campaign and per fan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.events import Event, EventError, parse_event
from engine.processor import Engine
from engine.rules.model import CampaignSet
from engine.state import EngineState, Link
from storage.linked_profiles import platform_name
from storage.models.core import Fan, LinkedProfile, StoredEvent
from storage.state_store import aware

FANS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class CampaignChange:
    """One campaign's points and fans under the file in force and under the draft."""

    campaign: str
    points_before: int
    points_after: int
    fans_before: int
    fans_after: int

    @property
    def points_diff(self) -> int:
        """How many more (or fewer) points the draft awards."""
        return self.points_after - self.points_before


@dataclass(frozen=True, slots=True)
class FanChange:
    """One fan whose points the draft changes."""

    fan: str
    name: str
    before: int
    after: int

    @property
    def diff(self) -> int:
        """How many more (or fewer) points the fan gets under the draft."""
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class Comparison:
    """The whole answer: the window, how many events, and the differences."""

    since: datetime
    until: datetime
    events: int
    unreadable: int
    campaigns: list[CampaignChange]
    fans: list[FanChange]
    fans_changed: int


def compare(
    session: Session, in_force: CampaignSet | None, draft: CampaignSet, now: datetime, days: int = 30
) -> Comparison:
    """Simulate both over the stored events of the last `days` days and compare."""
    since = now - timedelta(days=days)
    events, unreadable = stored_events(session, since, now)
    links = _links_before(session, {e.id for e in events})
    before = _simulate(in_force, events, links, now) if in_force else EngineState()
    after = _simulate(draft, events, links, now)
    ids = sorted(
        {*(c.id for c in draft.campaigns), *(c.id for c in (in_force.campaigns if in_force else ()))}
    )
    campaigns = [_campaign_change(cid, before, after) for cid in ids]
    changed = [
        (fan, _points(before, fan), _points(after, fan))
        for fan in set(before.fans) | set(after.fans)
        if _points(before, fan) != _points(after, fan)
    ]
    changed.sort(key=lambda item: (-abs(item[2] - item[1]), item[0]))
    names = _names(session, [fan for fan, _, _ in changed[:FANS_SHOWN]])
    fans = [FanChange(fan, names.get(fan) or fan, b, a) for fan, b, a in changed[:FANS_SHOWN]]
    return Comparison(since, now, len(events), unreadable, campaigns, fans, len(changed))


def stored_events(session: Session, since: datetime, until: datetime) -> tuple[list[Event], int]:
    """The events stored for [since, until], rebuilt; payloads that no longer parse are counted."""
    query = (
        select(StoredEvent.payload)
        .where(StoredEvent.at >= since, StoredEvent.at <= until)
        .order_by(StoredEvent.at, StoredEvent.id)
    )
    events, unreadable = [], 0
    for payload in session.scalars(query):
        try:
            events.append(parse_event(payload))
        except EventError:
            unreadable += 1  # e.g. an erased fan's event, stripped of its actor
    return events, unreadable


def _links_before(session: Session, replayed: set[str]) -> list[tuple[str, Link]]:
    rows = session.scalars(select(LinkedProfile)).all()
    return [
        (row.profile_key, Link(row.fan_id, aware(row.linked_at), row.link_event_id, aware(row.unlinked_at)))  # type: ignore[arg-type]
        for row in rows
        if row.link_event_id not in replayed
    ]


def _simulate(
    campaigns: CampaignSet, events: Iterable[Event], links: list[tuple[str, Link]], now: datetime
) -> EngineState:
    state = EngineState(keep_ledger=False)
    for profile, link in links:
        state.add_link(profile, link)
    engine = Engine(campaigns, state)
    for event in events:
        engine.process(event)
    engine.close_periods(now)
    return state


def _points(state: EngineState, fan: str) -> int:
    found = state.fans.get(fan)
    return found.points if found else 0


def _campaign_change(campaign_id: str, before: EngineState, after: EngineState) -> CampaignChange:
    def totals(state: EngineState) -> tuple[int, int]:
        per = [f.campaigns.get(campaign_id, 0) for f in state.fans.values()]
        return sum(per), sum(1 for p in per if p)

    (pb, fb), (pa, fa) = totals(before), totals(after)
    return CampaignChange(campaign_id, pb, pa, fb, fa)


def _names(session: Session, fans: list[str]) -> dict[str, str | None]:
    if not fans:
        return {}
    query = select(Fan.id, Fan.display_name, Fan.kind).where(Fan.id.in_(fans))
    return {
        fan_id: f"{name} · {platform_name(fan_id)}" if kind == "profile" and name else name
        for fan_id, name, kind in session.execute(query)
    }
