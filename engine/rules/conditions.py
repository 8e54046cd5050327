"""The `if` vocabulary: how a condition reads a field of an event and tests it."""

from __future__ import annotations

from typing import Any

from engine.events import Event
from engine.rules.checker import to_decimal
from engine.rules.model import Condition

_MISSING = object()


def field_value(event: Event, name: str, polarity: float) -> Any:
    """The value a condition on `name` tests; `_MISSING` when the event has none."""
    if name == "followers":
        followers = event.actor.followers if event.actor else None
        return _MISSING if followers is None else followers
    if name == "sentiment":
        return polarity
    if name == "platform":
        return event.platform
    if name == "text":
        return event.text if event.text is not None else _MISSING
    return event.attrs.get(name, _MISSING)


def holds(cond: Condition, event: Event, polarity: float) -> bool:
    """Whether one condition holds; a condition on a missing value fails."""
    value = field_value(event, cond.field, polarity)
    if value is _MISSING or value is None:
        return False
    if cond.contains:
        text = str(value).casefold()
        return any(word in text for word in cond.contains)
    if cond.equals:
        return any(_same(value, wanted) for wanted in cond.equals)
    number = to_decimal(value)
    if number is None:
        return False
    return (cond.min is None or number >= cond.min) and (cond.max is None or number <= cond.max)


def _same(value: Any, wanted: Any) -> bool:
    """Equal as numbers when both are numbers ("10.00" equals 10), else as values."""
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    left, right = to_decimal(value), to_decimal(wanted)
    if left is not None and right is not None:
        return left == right
    return str(value) == str(wanted)


def all_hold(conditions: tuple[Condition, ...], event: Event, polarity: float) -> bool:
    """Whether every condition holds."""
    return all(holds(c, event, polarity) for c in conditions)
