"""Lookup tables computed once per `CampaignSet`, so the per-event path repeats no work.

The engine asks the same questions for every event: which rules and event-driven
badges of a campaign react to this type, what a rule's ledger source is called,
what a board is named, which level some points reach. The answers depend only on
the campaigns, so they are worked out here once instead of a million times.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType

from engine import badges
from engine.events import EVENT_TYPES
from engine.rules.model import Badge, Campaign, CampaignSet, Leaderboard, Level, Rule


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """One campaign's rules, badges and boards, indexed by what the engine looks up."""

    campaign: Campaign
    rules: dict[str, tuple[tuple[Rule, str], ...]]  # event type -> (rule, ledger source)
    badges: dict[str, tuple[tuple[Badge, ModuleType], ...]]  # event type -> event-driven badges
    boards: tuple[tuple[Leaderboard, str], ...]  # (board, "campaign/board")
    # `starts` and `ends` in UTC, as events' times are: comparing times of one timezone
    # object is a plain comparison, while two zones cost two UTC offset lookups.
    starts: datetime | None = None
    ends: datetime | None = None

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignPlan:
        """The plan of one campaign."""
        rules = {
            kind: tuple((rule, f"rule:{rule.id}") for rule in campaign.rules_for(kind))
            for kind in EVENT_TYPES
        }
        event_badges = [
            (b, badges.EVENT_KINDS[b.kind]) for b in campaign.badges if b.kind in badges.EVENT_KINDS
        ]
        by_type = {
            kind: tuple((b, k) for b, k in event_badges if matches(b.on, kind)) for kind in EVENT_TYPES
        }
        boards = tuple((board, f"{campaign.id}/{board.id}") for board in campaign.leaderboards)
        starts = campaign.starts.astimezone(UTC) if campaign.starts is not None else None
        ends = campaign.ends.astimezone(UTC) if campaign.ends is not None else None
        return cls(campaign, rules, by_type, boards, starts, ends)


class Levels:
    """`CampaignSet.level_for` by bisection over the thresholds (it runs for every award)."""

    def __init__(self, levels: tuple[Level, ...]) -> None:
        ordered: list[Level] = []
        for level in sorted(levels, key=lambda lvl: lvl.points):
            if not ordered or ordered[-1].points != level.points:
                ordered.append(level)  # of equal thresholds the first listed wins, as in level_for
        self._levels = ordered
        self._points = [lvl.points for lvl in ordered]

    def name_for(self, points: int) -> str | None:
        """The name of the highest level `points` reaches, or None below the first."""
        index = bisect.bisect_right(self._points, points)
        return self._levels[index - 1].name if index else None


class Plan:
    """Every campaign's plan, by position and by id, and the levels."""

    def __init__(self, campaigns: CampaignSet) -> None:
        self.campaigns = tuple(CampaignPlan.of(c) for c in campaigns.campaigns)
        self.by_id = {p.campaign.id: p for p in reversed(self.campaigns)}  # first of an id wins
        self.levels = Levels(campaigns.levels)


def matches(on: frozenset[str] | None, event_type: str) -> bool:
    """`on` names the type; `any` (None) means every type but `retract`."""
    return event_type != "retract" if on is None else event_type in on
