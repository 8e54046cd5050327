"""Fuzzing the event parser: any JSON value is an Event or an EventError saying why."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.events import EVENT_TYPES, Event, EventError, parse_event, parse_line, read_jsonl

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
