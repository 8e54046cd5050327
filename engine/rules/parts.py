"""Readers for the smaller parts of a campaign: `on`, `if`, `during`, badges, challenges."""

from __future__ import annotations

import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.events import RULE_TYPES
from engine.rules import model as m
from engine.rules.checker import Checker, describe, join, quote, to_decimal

ON_CHOICES = ("any", *RULE_TYPES)
BADGE_KEYS = ("id", "name", "on", "count", "streak", "within", "leaderboard", "rank", "image", "description")
CHALLENGE_KEYS = ("id", "question", "answers", "points", "winners", "opens", "closes")


def normalize_answer(text: str) -> str:
    """An answer compared ignoring case, accents and surrounding (and repeated) space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def read_on(check: Checker, item: Any, path: str) -> frozenset[str] | None | bool:
    """Event types of `on`; None for `any`; False when invalid."""
    values = check.seq(item, "on", join(path, "on"), allow_scalar=True)
    if values is None:
        return False
    types, ok = set(), True
    holder = item["on"] if isinstance(item["on"], CommentedSeq) else None
    for j, value in enumerate(values):
        if not isinstance(value, str) or value not in ON_CHOICES:
            where, key = (holder, j) if holder is not None else (item, "on")
            sub = f"{path}.on[{j}]" if holder is not None else f"{path}.on"
            what = (
                f"unknown event type {quote(value)}"
                if isinstance(value, str)
                else f"{describe(value)} is not an event type"
            )
            check.error(where, key, sub, what, "one of " + ", ".join(ON_CHOICES))
            ok = False
            continue
        types.add(value)
    if not ok:
        return False
    return None if "any" in types else frozenset(types)


def read_conditions(check: Checker, item: Any, path: str) -> tuple[m.Condition, ...] | None:
    """The `if` mapping: field -> value, list of values, {min, max} or (text) {contains}."""
    spec = item["if"]
    if not isinstance(spec, CommentedMap):
        check.error(
            item, "if", path, f"{describe(spec)} is not a mapping", "field: value, [values] or {min, max}"
        )
        return None
    conditions, ok = [], True
    for name, value in spec.items():
        cond = _read_condition(check, spec, str(name), value, join(path, str(name)))
        ok = ok and cond is not None
        if cond is not None:
            conditions.append(cond)
    return tuple(conditions) if ok else None


def _read_condition(check: Checker, spec: Any, name: str, value: Any, path: str) -> m.Condition | None:
    if name == "text":
        return _read_contains(check, spec, value, path)
    if isinstance(value, CommentedMap):
        return _read_range(check, spec, name, value, path)
    values = list(value) if isinstance(value, CommentedSeq) else [value]
    if not values or any(isinstance(v, CommentedMap | CommentedSeq) or v is None for v in values):
        check.error(
            spec,
            name,
            path,
            f"{describe(value)} is not a value to compare",
            "a value, a list of values or {min, max}",
        )
        return None
    return m.Condition(name, equals=tuple(values))


def _read_range(check: Checker, spec: Any, name: str, value: Any, path: str) -> m.Condition | None:
    rng = check.mapping(spec, name, path, value, ("min", "max"))
    if rng is None:
        return None
    if not rng:
        check.error(spec, name, path, "an empty range", "{min, max} with at least one of them")
        return None
    low = check.number(rng, "min", join(path, "min")) if "min" in rng else None
    high = check.number(rng, "max", join(path, "max")) if "max" in rng else None
    if ("min" in rng and low is None) or ("max" in rng and high is None):
        return None
    if low is not None and high is not None and high < low:
        check.error(rng, "max", join(path, "max"), f"max {high} is below min {low}", "max of at least min")
        return None
    return m.Condition(name, min=low, max=high)


def _read_contains(check: Checker, spec: Any, value: Any, path: str) -> m.Condition | None:
    rng = check.mapping(spec, "text", path, value, ("contains",), ("contains",))
    if rng is None or "contains" not in rng:
        return None
    words = rng["contains"]
    words = list(words) if isinstance(words, CommentedSeq) else [words]
    if not words or not all(isinstance(w, str) and w.strip() for w in words):
        check.error(
            rng,
            "contains",
            join(path, "contains"),
            f"{describe(rng['contains'])} is not a word",
            "a word or a list of words",
        )
        return None
    return m.Condition("text", contains=tuple(w.casefold() for w in words))


def read_during(check: Checker, item: Any, path: str) -> m.Window | bool:
    """A recurring window `{days: [...], hours: "HH:MM-HH:MM"}`; False when invalid."""
    spec = check.mapping(item, "during", path, item["during"], ("days", "hours"))
    if spec is None:
        return False
    if not spec:
        check.error(item, "during", path, "an empty window", "days and/or hours")
        return False
    days = _read_days(check, spec, join(path, "days")) if "days" in spec else None
    hours = _read_hours(check, spec, join(path, "hours")) if "hours" in spec else (None, None)
    if days is False or hours is None:
        return False
    return m.Window(days, hours[0], hours[1])  # type: ignore[arg-type]


def _read_days(check: Checker, spec: Any, path: str) -> frozenset[int] | bool:
    values = check.seq(spec, "days", path, allow_scalar=True)
    if values is None:
        return False
    days, holder = set(), spec["days"] if isinstance(spec["days"], CommentedSeq) else None
    for j, value in enumerate(values):
        if value in m.DAYS:
            days.add(m.DAYS.index(value))
        else:
            where, key = (holder, j) if holder is not None else (spec, "days")
            check.error(where, key, f"{path}[{j}]", f"unknown day {quote(value)}", " | ".join(m.DAYS))
            return False
    return frozenset(days)


def _read_hours(check: Checker, spec: Any, path: str) -> tuple[int, int] | None:
    value = spec["hours"]
    parsed = parse_hours(value) if isinstance(value, str) else None
    if parsed is None:
        check.error(
            spec,
            "hours",
            path,
            f"{describe(value)} is not a time range",
            '"HH:MM-HH:MM" such as "18:00-22:00"',
        )
    return parsed


def parse_hours(text: str) -> tuple[int, int] | None:
    """`"18:00-22:00"` -> minutes of the day (start inclusive, end exclusive)."""
    start, sep, end = text.partition("-")
    minutes = [_minute(start), _minute(end)] if sep else [None]
    if None in minutes or minutes[0] == minutes[1] or minutes[0] == 1440:
        return None
    return minutes[0], minutes[1]  # type: ignore[return-value]


def _minute(text: str) -> int | None:
    hh, sep, mm = text.strip().partition(":")
    if not (sep and hh.isdigit() and mm.isdigit() and len(mm) == 2):
        return None
    value = int(hh) * 60 + int(mm)
    return value if int(mm) < 60 and value <= 1440 else None


def read_badges(
    check: Checker, campaign: Any, cpath: str, boards: tuple[m.Leaderboard, ...]
) -> tuple[m.Badge, ...]:
    """The campaign's badges; a badge on a board checks the board exists."""
    items = check.seq(campaign, "badges", join(cpath, "badges")) or []
    badges, seen = [], set()
    for i, raw in enumerate(items):
        path = f"{cpath}.badges[{i}]"
        item = check.mapping(campaign["badges"], i, path, raw, BADGE_KEYS, ("id",))
        if item is None or "id" not in item:
            continue
        badge = _read_badge(check, item, path, boards)
        if badge is not None and badge.id in seen:
            check.error(
                item, "id", join(path, "id"), f"duplicate badge id '{badge.id}'", "ids unique in a campaign"
            )
        elif badge is not None:
            seen.add(badge.id)
            badges.append(badge)
    return tuple(badges)


def _read_badge(check: Checker, item: Any, path: str, boards: tuple[m.Leaderboard, ...]) -> m.Badge | None:
    bid = check.slug(item, "id", join(path, "id"))
    name = check.text(item, "name", join(path, "name")) if "name" in item else bid
    extras = {k: check.text(item, k, join(path, k)) for k in ("image", "description") if k in item}
    if "leaderboard" in item:
        return _read_rank_badge(check, item, path, boards, bid, name, extras)
    on = read_on(check, item, path) if "on" in item else None
    if "streak" in item:
        streak = check.integer(item, "streak", join(path, "streak"), minimum=1)
        _forbid(check, item, path, ("count", "within", "rank"), "streak")
        ok = bid and name and on is not False and streak
        return m.Badge(bid, name, "streak", on, streak=streak, **extras) if ok else None  # type: ignore[arg-type]
    if "count" in item:
        count = check.integer(item, "count", join(path, "count"), minimum=1)
        within = check.duration(item, "within", join(path, "within")) if "within" in item else None
        _forbid(check, item, path, ("rank",), "count")
        kind = "within" if "within" in item else "count"
        ok = bid and name and on is not False and count and ("within" not in item or within)
        return m.Badge(bid, name, kind, on, count=count, within=within, **extras) if ok else None  # type: ignore[arg-type]
    check.error(
        item,
        None,
        path,
        "a badge needs count, streak, or leaderboard and rank",
        "count: N, streak: N, or leaderboard: ID with rank: N",
    )
    return None


def _read_rank_badge(
    check: Checker,
    item: Any,
    path: str,
    boards: tuple[m.Leaderboard, ...],
    bid: str | None,
    name: str | None,
    extras: dict[str, Any],
) -> m.Badge | None:
    board = item["leaderboard"]
    known = [b.id for b in boards]
    if board not in known:
        check.error(
            item,
            "leaderboard",
            join(path, "leaderboard"),
            f"unknown leaderboard {quote(board)}",
            "one of this campaign's leaderboards: " + (", ".join(known) or "none"),
        )
        board = None
    if "rank" not in item:
        check.error(item, None, path, "missing key 'rank'", "a leaderboard badge needs rank: N")
        return None
    rank = check.integer(item, "rank", join(path, "rank"), minimum=1)
    _forbid(check, item, path, ("on", "count", "streak", "within"), "leaderboard")
    ok = bid and name and board and rank
    return m.Badge(bid, name, "rank", leaderboard=board, rank=rank, **extras) if ok else None  # type: ignore[arg-type]


def _forbid(check: Checker, item: Any, path: str, keys: tuple[str, ...], kind: str) -> None:
    for key in keys:
        if key in item:
            check.error(
                item,
                key,
                join(path, key),
                f"'{key}' does not go with '{kind}'",
                "one kind per badge: count (+ within), streak, or leaderboard + rank",
                of_key=True,
            )


def read_challenges(check: Checker, campaign: Any, cpath: str, tz: ZoneInfo) -> tuple[m.Challenge, ...]:
    """The campaign's quiz challenges."""
    items = check.seq(campaign, "challenges", join(cpath, "challenges")) or []
    out, seen = [], set()
    for i, raw in enumerate(items):
        path = f"{cpath}.challenges[{i}]"
        item = check.mapping(
            campaign["challenges"], i, path, raw, CHALLENGE_KEYS, ("id", "answers", "points")
        )
        if item is None or not {"id", "answers", "points"} <= set(item):
            continue
        challenge = _read_challenge(check, item, path, tz)
        if challenge and challenge.id in seen:
            check.error(
                item, "id", join(path, "id"), f"duplicate challenge id '{challenge.id}'", "ids unique"
            )
        elif challenge:
            seen.add(challenge.id)
            out.append(challenge)
    return tuple(out)


def _read_challenge(check: Checker, item: Any, path: str, tz: ZoneInfo) -> m.Challenge | None:
    cid = check.slug(item, "id", join(path, "id"))
    question = check.text(item, "question", join(path, "question")) if "question" in item else ""
    answers_raw = check.seq(item, "answers", join(path, "answers"), allow_scalar=True) or []
    answers = frozenset(normalize_answer(str(a)) for a in answers_raw if isinstance(a, str | int | float))
    if not answers:
        check.error(item, "answers", join(path, "answers"), "no answer given", "a list of accepted answers")
    points = check.integer(item, "points", join(path, "points"))
    winners = check.integer(item, "winners", join(path, "winners"), minimum=1) if "winners" in item else None
    opens = check.moment(item, "opens", join(path, "opens"), tz, end=False) if "opens" in item else None
    closes = check.moment(item, "closes", join(path, "closes"), tz, end=True) if "closes" in item else None
    if opens and closes and closes < opens:
        check.error(
            item, "closes", join(path, "closes"), "closes before it opens", "closes on or after opens"
        )
        return None
    if cid is None or question is None or not answers or points is None:
        return None
    return m.Challenge(cid, question, answers, points, winners, opens, closes)


__all__ = ["normalize_answer", "to_decimal"]
