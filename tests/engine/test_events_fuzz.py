"""Fuzzing the event parser: any JSON value is an Event or an EventError saying why."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.events import (
    EVENT_TYPES,
    Event,
    EventError,
    loads,
    parse_event,
    parse_line,
    read_jsonl,
    trusted_event,
)

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=15,
)
FIELDS = {
    "id": st.one_of(st.text(max_size=6), JSON),
    "platform": st.one_of(st.sampled_from(["x", "facebook", "web"]), JSON),
    "type": st.one_of(st.sampled_from(EVENT_TYPES), JSON),
    "at": st.one_of(st.sampled_from(["2026-11-20T10:04:11Z", "2026-11-20T10:04:11", "soon"]), JSON),
    "actor": st.one_of(st.fixed_dictionaries({"id": JSON}, optional={"followers": JSON}), JSON),
    "post": st.one_of(st.fixed_dictionaries({"id": JSON}), JSON),
    "fan": JSON,
    "sentiment": JSON,
    "hashtags": JSON,
    "attrs": st.one_of(st.dictionaries(st.sampled_from(["retracts", "profile", "amount"]), JSON), JSON),
}
EVENTS = st.fixed_dictionaries({}, optional=FIELDS)


@settings(max_examples=2000, deadline=None)
@given(EVENTS)
def test_any_mapping_is_an_event_or_a_reason(raw: dict) -> None:
    try:
        event = parse_event(raw)
    except EventError as exc:
        assert str(exc)
    else:
        assert isinstance(event, Event) and event.at.tzinfo is not None
        assert event.type in EVENT_TYPES


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(EVENTS.map(json.dumps), st.text(max_size=30)), max_size=6))
def test_a_bad_line_never_takes_a_good_one_with_it(lines: list[str]) -> None:
    results = list(read_jsonl(lines))
    assert [n for n, _, _ in results] == [i for i, line in enumerate(lines, 1) if line.strip()]
    for _, item, text in results:
        if isinstance(item, Event):
            assert parse_line(text) == item


TEXT_OR_NUMBER = st.one_of(st.text(max_size=6), st.integers(), st.none())
STRINGS = st.one_of(st.none(), st.lists(st.text(max_size=5), max_size=3))
LIKELY_VALID = st.fixed_dictionaries(
    {
        "id": st.one_of(st.text(min_size=1, max_size=6), st.integers()),
        "platform": st.one_of(st.sampled_from(["x", "web"]), st.integers()),
        "type": st.sampled_from(EVENT_TYPES),
        "at": st.sampled_from(["2026-11-20T10:04:11Z", " 2026-11-20T10:04:11+01:00", "2026-11-20T10:04"]),
    },
    optional={
        "actor": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"id": st.one_of(st.text(min_size=1, max_size=4), st.integers())},
                optional={
                    "handle": TEXT_OR_NUMBER,
                    "name": TEXT_OR_NUMBER,
                    "followers": st.one_of(st.none(), st.integers()),
                },
            ),
        ),
        "post": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"id": st.one_of(st.text(min_size=1, max_size=4), st.integers())},
                optional={"author": TEXT_OR_NUMBER, "url": TEXT_OR_NUMBER},
            ),
        ),
        "text": TEXT_OR_NUMBER,
        "fan": TEXT_OR_NUMBER,
        "hashtags": STRINGS,
        "mentions": STRINGS,
        "links": STRINGS,
        "sentiment": st.one_of(st.none(), st.integers(-1, 1), st.floats(-1, 1)),
        "attrs": st.one_of(
            st.none(),
            st.dictionaries(
                st.sampled_from(["retracts", "profile", "points", "reason", "campaign", "amount"]),
                st.one_of(st.text(min_size=1, max_size=4), st.integers(-5, 5), JSON),
                max_size=4,
            ),
        ),
        "extra": JSON,
    },
)


REQUIRED = {  # what each kind of type needs, so that most generated events are valid
    "actor": {"id": "1"},
    "post": {"id": "p"},
    "fan": "f",
    "attrs": {"retracts": "e1", "profile": "x:1", "points": 3, "reason": "r"},
}


@st.composite
def valid_mostly(draw: st.DrawFn) -> dict:
    raw = draw(LIKELY_VALID)
    for key, value in REQUIRED.items():
        if raw.get(key) is None and draw(st.integers(0, 5)):
            raw[key] = value
    return raw


@settings(max_examples=1000, deadline=None)
@given(st.one_of(valid_mostly(), EVENTS))
def test_a_trusted_second_reading_gives_the_same_event(raw: dict) -> None:
    """`trusted_event` builds what `parse_event` returned for every line it accepted."""
    line = json.dumps(raw)
    try:
        checked = parse_line(line)
    except EventError:
        return
    again = trusted_event(loads(line), checked.at)
    assert again == checked
    assert [type(getattr(again, f)) for f in again.__slots__] == [
        type(getattr(checked, f)) for f in checked.__slots__
    ]
    for part in ("actor", "post"):
        assert repr(getattr(again, part)) == repr(getattr(checked, part))
