"""Fuzzing the event parser: any JSON value is an Event or an EventError saying why."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.events import (
    EVENT_TYPES,
    Event,
    EventError,
    Rejected,
    checked_event,
    loads,
    parse_event,
    parse_line,
    plain_key,
    read_jsonl,
    trusted_event,
)
from engine.reading import read_ordered

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


@settings(max_examples=500, deadline=None)
@given(st.one_of(valid_mostly(), EVENTS))
def test_a_trusted_second_reading_gives_the_same_event(raw: dict) -> None:
    """`trusted_event` builds what `parse_event` returned for every line it accepted."""
    line = json.dumps(raw)
    try:
        checked = checked_event(loads(line))
    except EventError:
        return
    again = trusted_event(loads(line), checked.at)
    assert again == checked
    assert [type(getattr(again, f)) for f in again.__slots__] == [
        type(getattr(checked, f)) for f in checked.__slots__
    ]
    for part in ("actor", "post"):
        assert repr(getattr(again, part)) == repr(getattr(checked, part))


def _as_strings(raw: dict) -> dict:
    """The same event with whole numbers given as text, the shape `plain_key` takes."""
    out = {k: str(v) if type(v) is int and k not in {"sentiment"} else v for k, v in raw.items()}
    for part in ("actor", "post"):
        if isinstance(out.get(part), dict):
            out[part] = {
                k: str(v) if type(v) is int and k != "followers" else v for k, v in out[part].items()
            }
    return out


@settings(max_examples=500, deadline=None)
@given(st.one_of(valid_mostly().map(_as_strings), valid_mostly(), EVENTS))
def test_a_plain_key_is_only_given_to_events_parse_event_accepts(raw: dict) -> None:
    """`plain_key` judges no event differently from `parse_event`: it gives up instead."""
    key = plain_key(raw)
    if key is None:
        return
    event = checked_event(raw)
    assert key == (event.at, event.id)
    assert event.retracts is None


@settings(max_examples=1000, deadline=None)
@given(st.one_of(valid_mostly().map(_as_strings), valid_mostly(), EVENTS))
def test_parse_event_gives_what_checking_every_field_gives(raw: dict) -> None:
    """The shortcut `parse_event` takes for common events changes neither the events it
    returns nor the errors it raises."""
    try:
        expected: Event | str = checked_event(raw)
    except EventError as exc:
        expected = str(exc)
    try:
        got: Event | str = parse_event(raw)
    except EventError as exc:
        got = str(exc)
    assert got == expected
    if isinstance(got, Event):
        assert [type(getattr(got, f)) for f in got.__slots__] == [
            type(getattr(expected, f)) for f in expected.__slots__
        ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            valid_mostly().map(json.dumps),
            EVENTS.map(json.dumps),
            st.sampled_from(["", "  \n", "{", "[1]", '{"id": 1e999}']),
        ),
        max_size=8,
    )
)
def test_reading_in_order_keeps_and_rejects_what_read_jsonl_does(lines: list[str]) -> None:
    ordered = read_ordered(lines, "src")
    parsed = list(read_jsonl(lines, "src"))
    assert ordered.rejected == [item for _, item, _ in parsed if isinstance(item, Rejected)]
    first: dict[str, tuple] = {}
    for number, item, text in parsed:
        if isinstance(item, Event):
            first.setdefault(item.id, (item.at, item.id, number, text))
    kept_as_text = [(at, i, n, k if isinstance(k, str) else k.decode()) for at, i, n, k in ordered.keyed]
    assert kept_as_text == sorted(first.values())
    good = sum(isinstance(item, Event) for _, item, _ in parsed)
    assert ordered.duplicates == good - len(first)
    assert [event for _, event in ordered.drain()] == [
        parse_line(text) for *_, text in sorted(first.values())
    ]
