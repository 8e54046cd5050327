"""The campaigns in force, as immutable values the engine reads (never the raw YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

ANY = "any"
PERIODS = ("hour", "day", "week", "month", "campaign")
BOARD_PERIODS = ("day", "week", "month")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Window:
    """A recurring `during` window: weekdays (0=Monday) and/or minutes of the day."""

    days: frozenset[int] | None
    start_minute: int | None = None  # inclusive
    end_minute: int | None = None  # exclusive; smaller than start when it wraps midnight


@dataclass(frozen=True, slots=True)
class Condition:
    """One `if` test on a field of the event: equality, any-of, range or text search."""

    field: str
    equals: tuple[Any, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    contains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PerAttr:
    """`points: {per: amount, rate: 1}`: points proportional to a numeric attribute."""

    attr: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class Cap:
    """`max`: a limit per fan, per rule, per period."""

    per: str
    count: int | None = None
    points: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """Awards points for matching events of a campaign."""

    id: str
    on: frozenset[str] | None  # None means `any`
    points: int | PerAttr
    conditions: tuple[Condition, ...] = ()
    during: Window | None = None
    cap: Cap | None = None


@dataclass(frozen=True, slots=True)
class Boost:
    """Multiplies rule points of matching events."""

    factor: Decimal
    starts: datetime | None = None
    ends: datetime | None = None
    during: Window | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Badge:
    """A badge definition; `kind` names the module in engine/badges that judges it."""

    id: str
    name: str
    kind: str  # "count", "streak", "within", "rank"
    on: frozenset[str] | None = None
    count: int | None = None
    streak: int | None = None
    within: timedelta | None = None
    leaderboard: str | None = None
    rank: int | None = None
    image: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """A board of a campaign; `period` None is all-time."""

    id: str
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Challenge:
    """A quiz question whose first `winners` correct answers score."""

    id: str
    question: str
    answers: frozenset[str]  # already normalised
    points: int
    winners: int | None = None
    opens: datetime | None = None
    closes: datetime | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """What counts as a campaign's content; any one match is enough."""

    hashtags: frozenset[str] = frozenset()
    mentions: frozenset[str] = frozenset()
    links: tuple[str, ...] = ()
    posts: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Campaign:
    """One campaign: when, what content, and what it awards."""

    id: str
    name: str
    tz: ZoneInfo
    brand: str | None = None
    starts: datetime | None = None
    ends: datetime | None = None  # inclusive
    content: Content | None = None
    rules: tuple[Rule, ...] = ()
    boosts: tuple[Boost, ...] = ()
    badges: tuple[Badge, ...] = ()
    leaderboards: tuple[Leaderboard, ...] = ()
    challenges: tuple[Challenge, ...] = ()
    rules_by_type: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False)

    def rules_for(self, event_type: str) -> tuple[Rule, ...]:
        """The rules whose `on` names this type (or `any`), in file order."""
        return self.rules_by_type.get(event_type, ())


@dataclass(frozen=True, slots=True)
class Level:
    """A level reached at `points` lifetime points."""

    name: str
    points: int


@dataclass(frozen=True, slots=True)
class Reward:
    """A catalog item fans can spend their balance on."""

    id: str
    name: str
    cost: int
    stock: int | None = None
    per_fan: int | None = None
    tags: tuple[str, ...] = ()
    partner: str | None = None  # the partner's slug when a partner hands it out (and confirms delivery)


@dataclass(frozen=True, slots=True)
class CampaignSet:
    """Everything one campaigns.yaml says."""

    version: int
    tz: ZoneInfo
    campaigns: tuple[Campaign, ...]
    levels: tuple[Level, ...] = ()
    rewards: tuple[Reward, ...] = ()
    monitoring: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_sentiment(self) -> bool:
        """Whether any rule or boost reads the event's sentiment."""
        return any(
            cond.field == "sentiment"
            for campaign in self.campaigns
            for item in (*campaign.rules, *campaign.boosts)
            for cond in item.conditions
        )

    def campaign(self, campaign_id: str) -> Campaign | None:
        """The campaign with this id, if any."""
        return next((c for c in self.campaigns if c.id == campaign_id), None)

    def level_for(self, points: int) -> Level | None:
        """The highest level whose threshold `points` reaches."""
        reached = [lvl for lvl in self.levels if points >= lvl.points]
        return max(reached, key=lambda lvl: lvl.points) if reached else None
