"""Typed reads from the YAML tree that record an error, with its place, instead of raising.

Every reader returns a value or `None`; the caller goes on, so one pass finds every
mistake in the file (Prometheus and beancount report errors as data the same way).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.rules.errors import ConfigError
from engine.rules.yaml_source import position


class Checker:
    """Collects `ConfigError`s while reading values out of the document."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[ConfigError] = []

    def error(
        self,
        parent: Any,
        key: str | int | None,
        path: str,
        problem: str,
        expected: str = "",
        *,
        of_key: bool = False,
    ) -> None:
        """Record a problem at `parent[key]`."""
        line, col = position(parent, key, of_key=of_key)
        self.errors.append(ConfigError(line, col, path, problem, expected, self.filename))

    def mapping(
        self,
        parent: Any,
        key: str | int | None,
        path: str,
        value: Any,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> dict[str, Any] | None:
        """A mapping with only `allowed` keys and every `required` one."""
        if not isinstance(value, CommentedMap):
            self.error(parent, key, path, f"{describe(value)} is not a mapping", "a mapping of keys")
            return None
        allowed = list(allowed)
        for name in value:
            if name not in allowed:
                self.error(
                    value,
                    name,
                    join(path, str(name)),
                    _unknown_key(str(name), allowed),
                    "one of " + ", ".join(allowed),
                    of_key=True,
                )
        for name in required:
            if name not in value:
                self.error(parent, key, path, f"missing key '{name}'", f"'{name}' is required")
        return value

    def seq(self, parent: Any, key: str | int, path: str, *, allow_scalar: bool = False) -> list[Any] | None:
        """A list; with `allow_scalar` a single value stands for a list of one."""
        value = parent[key]
        if isinstance(value, CommentedSeq):
            return list(value)
        if allow_scalar and not isinstance(value, CommentedMap) and value is not None:
            return [value]
        self.error(parent, key, path, f"{describe(value)} is not a list", "a list")
        return None

    def text(self, parent: Any, key: str | int, path: str) -> str | None:
        """A non-empty string."""
        value = parent[key]
        if isinstance(value, str) and value.strip():
            return str(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.error(parent, key, path, f"{describe(value)} is not a text", "a non-empty text")
        return None

    def slug(self, parent: Any, key: str | int, path: str) -> str | None:
        """An id made of a-z, 0-9 and '-'."""
        value = parent[key]
        if isinstance(value, str) and value and all(c in _SLUG for c in value):
            return str(value)
        self.error(parent, key, path, f"{describe(value)} is not a valid id", "lowercase a-z, 0-9 and '-'")
        return None

    def integer(self, parent: Any, key: str | int, path: str, *, minimum: int | None = None) -> int | None:
        """A whole number, at least `minimum`."""
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(parent, key, path, f"{describe(value)} is not an integer", "an integer")
            return None
        if minimum is not None and value < minimum:
            self.error(parent, key, path, f"{value} is too small", f"an integer of at least {minimum}")
            return None
        return int(value)

    def number(self, parent: Any, key: str | int, path: str) -> Decimal | None:
        """A number (integer or decimal)."""
        value = parent[key]
        number = to_decimal(value)
        if number is None:
            self.error(parent, key, path, f"{describe(value)} is not a number", "a number")
        return number

    def choice(self, parent: Any, key: str | int, path: str, options: Iterable[str], what: str) -> str | None:
        """One of `options`."""
        value, options = parent[key], list(options)
        if isinstance(value, str) and value in options:
            return value
        self.error(parent, key, path, f"unknown {what} {quote(value)}", " | ".join(options))
        return None

    def timezone(self, parent: Any, key: str, path: str) -> ZoneInfo | None:
        """An IANA timezone name."""
        value = parent[key]
        try:
            if isinstance(value, str) and value:
                return ZoneInfo(value)
        except (ValueError, KeyError, OSError):
            pass
        self.error(
            parent,
            key,
            path,
            f"timezone {quote(value)} does not exist",
            "an IANA timezone such as Europe/Berlin",
        )
        return None

    def moment(self, parent: Any, key: str, path: str, tz: ZoneInfo, *, end: bool) -> datetime | None:
        """A date (start or end of that day in `tz`) or a date-time with an offset."""
        value = parent[key]
        parsed = parse_moment(value, tz, end=end)
        if parsed is None:
            self.error(
                parent,
                key,
                path,
                f"{describe(value)} is not a date or a date-time with an offset",
                "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+01:00",
            )
        return parsed

    def duration(self, parent: Any, key: str, path: str) -> timedelta | None:
        """A duration such as `90s`, `30m`, `24h`, `7d`."""
        value = parent[key]
        if isinstance(value, str) and len(value) > 1 and value[:-1].isdigit() and value[-1] in _UNITS:
            return timedelta(seconds=int(value[:-1]) * _UNITS[value[-1]])
        self.error(parent, key, path, f"{describe(value)} is not a duration", "such as 90s, 30m, 24h or 7d")
        return None


_SLUG = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def join(path: str, key: str | int) -> str:
    """`campaigns[0]` + `rules` -> `campaigns[0].rules`; an int appends `[i]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def quote(value: Any) -> str:
    """A value as a marketer wrote it, for messages."""
    return f"'{value}'" if isinstance(value, str) else repr(value)


def describe(value: Any) -> str:
    """A short description of an unexpected value."""
    if value is None:
        return "an empty value"
    if isinstance(value, CommentedMap):
        return "a mapping"
    if isinstance(value, CommentedSeq):
        return "a list"
    return quote(value)


def _unknown_key(name: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f", did you mean '{close[0]}'?" if close else ""
    return f"unknown key '{name}'{hint}"


def to_decimal(value: Any) -> Decimal | None:
    """A number or decimal string as a Decimal (so "10.00" equals 10), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def parse_moment(value: Any, tz: ZoneInfo, *, end: bool) -> datetime | None:
    """Resolve a date or offset date-time; a date ends at the last instant of its day."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None and len(text) == 10:
        if end:
            return datetime.combine(day + timedelta(days=1), time(), tz) - timedelta(microseconds=1)
        return datetime.combine(day, time(), tz)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
