"""The one event shape everything flows through (see docs/events.md).

`parse_event` turns an untrusted mapping (a JSON line, an API body, a connector's
output) into a frozen `Event`, or raises `EventError` with a reason a person can
act on. `read_jsonl` does that for a whole file and keeps every bad line, with its
line number, instead of stopping at the first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson

SOCIAL_TYPES = frozenset({"share", "retweet", "quote", "reply", "comment", "mention", "like"})
POST_TYPES = frozenset({"share", "retweet", "quote", "reply", "comment", "like"})
FAN_TYPES = frozenset({"profile_linked", "quiz_answer", "purchase", "checkin"})
EVENT_TYPES: tuple[str, ...] = (
    "share",
    "retweet",
    "quote",
    "reply",
    "comment",
    "mention",
    "like",
    "profile_linked",
    "quiz_answer",
    "purchase",
    "checkin",
    "retract",
    "grant",
)
# `grant` (points given by the programme itself: birthdays, bulk grants, corrections) is
# an extension of the spec's types; campaign rules cannot name it (see docs/loyalty.md).
RULE_TYPES: tuple[str, ...] = tuple(t for t in EVENT_TYPES if t != "grant")
KNOWN_FIELDS = frozenset(
    {
        "id",
        "platform",
        "type",
        "at",
        "actor",
        "post",
        "text",
        "hashtags",
        "mentions",
        "links",
        "fan",
        "sentiment",
        "attrs",
    }
)


class EventError(ValueError):
    """An event that cannot be accepted; the message says why."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The social profile that acted."""

    id: str
    handle: str | None = None
    name: str | None = None
    followers: int | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """The content acted on."""

    id: str
    author: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, as every connector reports it."""

    id: str
    platform: str
    type: str
    at: datetime  # always timezone-aware, normalised to UTC
    actor: Actor | None = None
    post: Post | None = None
    text: str | None = None
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    fan: str | None = None
    sentiment: float | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def profile_key(self) -> str | None:
        """`platform:actor.id`, the key a fan's linked profile is known by."""
        return f"{self.platform}:{self.actor.id}" if self.actor else None

    @property
    def retracts(self) -> str | None:
        """The id of the event a `retract` undoes."""
        value = self.attrs.get("retracts") if self.type == "retract" else None
        return value if isinstance(value, str) else None

    def with_sentiment(self, polarity: float) -> Event:
        """A copy carrying a polarity (the scorer's enrichment step)."""
        return replace(self, sentiment=polarity)

    def to_dict(self) -> dict[str, Any]:
        """The event in its JSON shape (the inverse of `parse_event`)."""
        out: dict[str, Any] = {
            "id": self.id,
            "platform": self.platform,
            "type": self.type,
            "at": self.at.isoformat().replace("+00:00", "Z"),
        }
        if self.actor:
            out["actor"] = {k: v for k, v in _slots(self.actor).items() if v is not None}
        if self.post:
            out["post"] = {k: v for k, v in _slots(self.post).items() if v is not None}
        for key in ("text", "fan", "sentiment"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        for key in ("hashtags", "mentions", "links"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        out["attrs"] = dict(self.attrs)
        return out


def _slots(obj: Actor | Post) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


@dataclass(frozen=True, slots=True)
class Rejected:
    """A line or item that could not be accepted, kept with where it came from."""

    line: int | None
    error: str
    raw: str
    source: str = ""


def parse_time(value: Any, what: str = "at") -> datetime:
    """An ISO 8601 time with an offset or `Z`, as an aware UTC datetime."""
    if not isinstance(value, str):
        raise EventError(f"'{what}' must be an ISO 8601 time string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise EventError(f"'{what}' is not a time: {value!r}") from None
    if parsed.tzinfo is None:
        raise EventError(f"'{what}' has no UTC offset: {value!r} (add Z or +01:00)")
    return parsed.astimezone(UTC)


def _text(obj: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if type(value) is str:  # the common case first: a plain string needs no conversion
        if required and not value.strip():
            raise EventError(f"'{key}' is empty")
        return value
    if value is None:
        if required:
            raise EventError(f"missing '{key}'")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise EventError(f"'{key}' must be a string, got {type(value).__name__}")
    value = str(value)
    if required and not value.strip():
        raise EventError(f"'{key}' is empty")
    return value


def _strings(obj: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EventError(f"'{key}' must be a list of strings")
    return tuple(value)


def _actor(raw: Any) -> Actor | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise EventError("'actor' must be an object")
    followers = raw.get("followers")
    if followers is not None and (isinstance(followers, bool) or not isinstance(followers, int)):
        raise EventError("'actor.followers' must be an integer")
    return Actor(
        id=_text(raw, "id", required=True) or "",
        handle=_text(raw, "handle"),
        name=_text(raw, "name"),
        followers=followers,
    )


def _post(raw: Any) -> Post | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise EventError("'post' must be an object")
    return Post(id=_text(raw, "id", required=True) or "", author=_text(raw, "author"), url=_text(raw, "url"))


def _sentiment(raw: Any) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not -1 <= raw <= 1:
        raise EventError("'sentiment' must be a number from -1 to 1")
    return float(raw)


def _check_required(
    kind: str, actor: Actor | None, post: Post | None, fan: str | None, attrs: Mapping[str, Any]
) -> None:
    if kind in SOCIAL_TYPES and actor is None and fan is None:
        raise EventError(f"a '{kind}' needs 'actor' (or 'fan')")
    if kind in POST_TYPES and post is None:
        raise EventError(f"a '{kind}' needs 'post'")
    if kind in FAN_TYPES and fan is None:
        raise EventError(f"a '{kind}' needs 'fan'")
    if kind == "retract" and not isinstance(attrs.get("retracts"), str):
        raise EventError("a 'retract' needs attrs.retracts, the id of the undone event")
    if kind == "profile_linked" and not isinstance(attrs.get("profile"), str):
        raise EventError("a 'profile_linked' needs attrs.profile such as 'x:2244994945'")
    if kind == "grant":
        _check_grant(fan, attrs)


def _check_grant(fan: str | None, attrs: Mapping[str, Any]) -> None:
    if fan is None:
        raise EventError("a 'grant' needs 'fan'")
    points = attrs.get("points")
    if isinstance(points, bool) or not isinstance(points, int):
        raise EventError("a 'grant' needs attrs.points, a whole number (negative to correct)")
    reason = attrs.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise EventError("a 'grant' needs attrs.reason, saying why")
    campaign = attrs.get("campaign")
    if campaign is not None and not isinstance(campaign, str):
        raise EventError("a grant's attrs.campaign must be a campaign id")


def parse_event(raw: Any) -> Event:
    """Validate one event mapping; raise `EventError` saying what is wrong."""
    key = plain_key(raw)  # the common shape: checked in one go, built without checks again
    if key is not None:
        return trusted_event(raw, key[0])
    return checked_event(raw)


def checked_event(raw: Any) -> Event:
    """`parse_event` of any mapping, field by field, with the error of the first bad one: the
    reference that `plain_key` and `trusted_event` are tested against."""
    if not isinstance(raw, Mapping):
        raise EventError(f"an event must be a JSON object, got {type(raw).__name__}")
    kind = _text(raw, "type", required=True)
    if kind not in EVENT_TYPES:
        raise EventError(f"unknown type '{kind}'")
    attrs = raw.get("attrs")
    attrs = {} if attrs is None else attrs
    if not isinstance(attrs, Mapping):
        raise EventError("'attrs' must be an object")
    actor, post, fan = _actor(raw.get("actor")), _post(raw.get("post")), _text(raw, "fan")
    _check_required(kind or "", actor, post, fan, attrs)
    return Event(
        id=_text(raw, "id", required=True) or "",
        platform=_text(raw, "platform", required=True) or "",
        type=kind or "",
        at=parse_time(raw.get("at")) if "at" in raw else _missing("at"),
        actor=actor,
        post=post,
        text=_text(raw, "text"),
        hashtags=_strings(raw, "hashtags"),
        mentions=_strings(raw, "mentions"),
        links=_strings(raw, "links"),
        fan=fan,
        sentiment=_sentiment(raw.get("sentiment")),
        attrs=dict(attrs),
    )


def trusted_event(raw: dict[str, Any], at: datetime) -> Event:
    """The `Event` that `parse_event(raw)` returns, for a mapping it already accepted once and
    whose `at` it gave: the same conversions (whole-number ids as text, lists as tuples,
    sentiment as a float) without checking anything again. Reading a file in time order parses
    each line twice; validating it twice was a fifth of simulate's time."""
    get = raw.get
    actor = get("actor")
    if actor is not None:
        actor = Actor(
            _as_text(actor["id"]),
            _as_text(actor.get("handle")),
            _as_text(actor.get("name")),
            actor.get("followers"),
        )
    post = get("post")
    if post is not None:
        post = Post(_as_text(post["id"]), _as_text(post.get("author")), _as_text(post.get("url")))
    hashtags, mentions, links = get("hashtags"), get("mentions"), get("links")
    sentiment, attrs = get("sentiment"), get("attrs")
    # What Event(...) does, at half the cost: a frozen dataclass's __init__ sets each slot
    # through object.__setattr__; the slots' own setters skip that lookup.
    event = _new(Event)
    _set_id(event, _as_text(raw["id"]))
    _set_platform(event, _as_text(raw["platform"]))
    _set_type(event, raw["type"])
    _set_at(event, at)
    _set_actor(event, actor)
    _set_post(event, post)
    _set_text(event, _as_text(get("text")))
    _set_hashtags(event, () if hashtags is None else tuple(hashtags))
    _set_mentions(event, () if mentions is None else tuple(mentions))
    _set_links(event, () if links is None else tuple(links))
    _set_fan(event, _as_text(get("fan")))
    _set_sentiment(event, None if sentiment is None else float(sentiment))
    _set_attrs(event, {} if attrs is None else dict(attrs))
    return event


_new = object.__new__
(
    _set_id,
    _set_platform,
    _set_type,
    _set_at,
    _set_actor,
    _set_post,
    _set_text,
    _set_hashtags,
    _set_mentions,
    _set_links,
    _set_fan,
    _set_sentiment,
    _set_attrs,
) = (getattr(Event, name).__set__ for name in Event.__slots__)


def _as_text(value: Any) -> Any:
    """`_text` of a value it accepted: a string, None, or a whole number given as text."""
    return value if value is None or type(value) is str else str(value)


# Types whose only requirements are an actor, a post or a fan (see `_check_required`).
_PLAIN_TYPES = (SOCIAL_TYPES | FAN_TYPES) - {"profile_linked"}


def plain_key(raw: Any) -> tuple[datetime, str] | None:
    """`(at, id)` of an event in the shape nearly every line has, which `parse_event` certainly
    accepts: every text field a string, no `retract`, `grant` or `profile_linked`. None for
    anything else, which `parse_event` then judges (and words the error of). Reading a file
    checks a million lines; this is that check without building an `Event`."""
    if type(raw) is not dict:
        return None
    get = raw.get
    kind, event_id, platform, at = get("type"), get("id"), get("platform"), get("at")
    if type(kind) is not str or kind not in _PLAIN_TYPES:
        return None
    if type(event_id) is not str or type(platform) is not str or type(at) is not str:
        return None
    if not event_id.strip() or not platform.strip():
        return None
    actor, post, fan = get("actor"), get("post"), get("fan")
    if actor is not None and not _plain_actor(actor):
        return None
    if post is not None and not _plain_post(post):
        return None
    if fan is None:
        if kind in FAN_TYPES or actor is None:
            return None
    elif type(fan) is not str:
        return None
    if (post is None and kind in POST_TYPES) or not _plain_rest(get):
        return None
    try:
        return parse_time(at), event_id
    except EventError:
        return None


def _plain_actor(actor: Any) -> bool:
    if type(actor) is not dict:
        return False
    actor_id, followers = actor.get("id"), actor.get("followers")
    return (
        type(actor_id) is str
        and bool(actor_id.strip())
        and _str_or_none(actor.get("handle"))
        and _str_or_none(actor.get("name"))
        and (followers is None or type(followers) is int)
    )


def _plain_post(post: Any) -> bool:
    if type(post) is not dict:
        return False
    post_id = post.get("id")
    return (
        type(post_id) is str
        and bool(post_id.strip())
        and _str_or_none(post.get("author"))
        and _str_or_none(post.get("url"))
    )


def _plain_rest(get: Callable[[str], Any]) -> bool:
    sentiment, attrs = get("sentiment"), get("attrs")
    if sentiment is not None and not (type(sentiment) in (int, float) and -1 <= sentiment <= 1):
        return False
    if attrs is not None and type(attrs) is not dict:
        return False
    return (
        _str_or_none(get("text"))
        and _strings_or_none(get("hashtags"))
        and _strings_or_none(get("mentions"))
        and _strings_or_none(get("links"))
    )


def _str_or_none(value: Any) -> bool:
    return value is None or type(value) is str


def _strings_or_none(value: Any) -> bool:
    return value is None or (type(value) is list and all(type(v) is str for v in value))


def _missing(key: str) -> datetime:
    raise EventError(f"missing '{key}'")


def parse_line(line: str) -> Event:
    """One JSON line to an `Event`."""
    try:
        raw = loads(line)
    except json.JSONDecodeError as exc:
        raise EventError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    return parse_event(raw)


# Bytes -> "0" for a digit, " " for anything else: a run of 19 zeros marks a number orjson
# may read differently from json (see `loads`).
_DIGIT_MAP = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_NUMBER = b"0" * 19


def loads(line: str) -> Any:
    """`json.loads(line)`, five times faster: orjson parses, and json, whose results are the
    reference, takes over wherever orjson would differ. orjson turns integers beyond 64 bits
    (19 digits and more) into floats, refuses NaN, Infinity and lone surrogates that json
    accepts, and words its errors differently; json handles all of those lines."""
    try:
        data = line.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return json.loads(line)
    if _LONG_NUMBER in data.translate(_DIGIT_MAP):
        return json.loads(line)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(line)


def loads_keeping(line: str) -> tuple[Any, str | bytes]:
    """`loads(line)`, and what to keep of the line to read it again with `loads_again`: its
    UTF-8 bytes when orjson read them (orjson reads them again alike, with no checks before),
    else the line itself. The bytes of a line are also smaller than its text."""
    try:
        data = line.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return json.loads(line), line
    if _LONG_NUMBER in data.translate(_DIGIT_MAP):
        return json.loads(line), line
    try:
        return orjson.loads(data), data
    except orjson.JSONDecodeError:
        return json.loads(line), line


def loads_again(kept: str | bytes) -> Any:
    """`loads` of a line `loads_keeping` kept."""
    return orjson.loads(kept) if type(kept) is bytes else loads(kept)  # type: ignore[arg-type]


def read_jsonl(lines: Iterable[str], source: str = "") -> Iterator[tuple[int, Event | Rejected, str]]:
    """Parse JSON Lines; yield `(line number, Event or Rejected, line text)` per non-blank line.

    Blank lines are skipped; a bad line never stops the lines after it.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, parse_line(line), line
        except EventError as exc:
            yield number, Rejected(line=number, error=str(exc), raw=line.rstrip("\n"), source=source), line
