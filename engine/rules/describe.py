"""Campaign rules and boosts in plain words, for the marketers' page.

"15 points for each quote, at most 5 a day." is what a rule does; the sentence is
built from the parsed rule (never the YAML), so it says what the engine will do.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from engine.rules.model import Boost, Cap, Condition, PerAttr, Rule, Window

NOUNS = {
    "share": "share",
    "retweet": "repost",
    "quote": "quote",
    "reply": "reply",
    "comment": "comment",
    "mention": "mention",
    "like": "like",
    "profile_linked": "linked profile",
    "quiz_answer": "quiz answer",
    "purchase": "purchase",
    "checkin": "check-in",
    "retract": "retraction",
}
DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
PER = {"hour": "an hour", "day": "a day", "week": "a week", "month": "a month", "campaign": "per campaign"}
FACTORS = {Decimal(2): "doubled", Decimal(3): "tripled", Decimal(4): "quadrupled"}


def describe_rule(rule: Rule) -> str:
    """One sentence: points, for what, under which conditions, when, and how often at most."""
    parts = [f"{_points(rule.points)} for each {_types(rule.on)}"]
    if rule.conditions:
        parts[0] += " " + _conditions(rule.conditions)
    if rule.during is not None:
        parts[0] += " " + _window(rule.during)
    if rule.cap is not None:
        parts.append(f"at most {cap_words(rule.cap)}")
    return ", ".join(parts) + "."


def describe_boost(boost: Boost) -> str:
    """One sentence: by how much points grow, and when."""
    factor = FACTORS.get(boost.factor, f"multiplied by {_number(boost.factor)}")
    parts = [f"Points are {factor}"]  # one clause, grown in place
    if boost.conditions:
        parts[0] += " for activities " + _conditions(boost.conditions)
    if boost.starts is not None or boost.ends is not None:
        parts[0] += " " + _span(boost.starts, boost.ends)
    if boost.during is not None:
        parts[0] += " " + _window(boost.during)
    return " ".join(parts) + "."


def cap_words(cap: Cap) -> str:
    """A rule's `max`: "5 a day", "400 points a week"."""
    amount = f"{cap.count}" if cap.count is not None else f"{cap.points} points"
    return f"{amount} {PER[cap.per]}"


def _points(points: int | PerAttr) -> str:
    if isinstance(points, PerAttr):
        return f"{_number(points.rate)} points per unit of {points.attr}"
    return "1 point" if points == 1 else f"{points} points"


def _types(on: frozenset[str] | None) -> str:
    if on is None:
        return "activity of any kind"
    return _or([NOUNS.get(t, t) for t in sorted(on, key=_type_order)])


def _type_order(event_type: str) -> int:
    return list(NOUNS).index(event_type) if event_type in NOUNS else len(NOUNS)


def _conditions(conditions: tuple[Condition, ...]) -> str:
    return "with " + " and ".join(_condition(c) for c in conditions)


def _condition(cond: Condition) -> str:
    if cond.equals:
        return f"{cond.field} {_or([str(v) for v in cond.equals])}"
    if cond.contains:
        return f"{cond.field} containing " + _or([f"“{text}”" for text in cond.contains])
    if cond.min is not None and cond.max is not None:
        return f"{cond.field} between {_number(cond.min)} and {_number(cond.max)}"
    if cond.min is not None:
        return f"{cond.field} at least {_number(cond.min)}"
    return f"{cond.field} at most {_number(cond.max)}"  # type: ignore[arg-type]


def _window(window: Window) -> str:
    words = []
    if window.days is not None:
        words.append("on " + _and([DAY_NAMES[d] for d in sorted(window.days)]))
    if window.start_minute is not None and window.end_minute is not None:
        words.append(f"between {_clock(window.start_minute)} and {_clock(window.end_minute)}")
    return " ".join(words)


def _span(starts: datetime | None, ends: datetime | None) -> str:
    if starts is not None and ends is not None:
        return f"from {_when(starts)} to {_when(ends)}"
    return f"from {_when(starts)}" if starts is not None else f"until {_when(ends)}"  # type: ignore[arg-type]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
