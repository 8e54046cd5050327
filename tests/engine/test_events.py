"""The event shape: what is accepted, and the reason given for what is not."""

from __future__ import annotations

import json

import pytest

from engine.events import EventError, Rejected, loads_again, loads_keeping, parse_event, read_jsonl
from tests.factories import event_dict


def test_a_valid_event_round_trips_through_its_json_shape() -> None:
    raw = event_dict(type="quote", text="Come on 😍", hashtags=["Derby"], sentiment=0.5)
    raw["actor"]["followers"] = 1200
    event = parse_event(raw)
    assert event.profile_key == "x:11"
    assert event.at.utcoffset().total_seconds() == 0
    assert parse_event(event.to_dict()) == event


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": "retweeet"}, "unknown type 'retweeet'"),
        ({"at": "2026-12-03T10:00:00"}, "no UTC offset"),
        ({"at": "yesterday"}, "not a time"),
        ({"id": ""}, "'id' is empty"),
        ({"actor": None}, "needs 'actor'"),
        ({"post": None}, "needs 'post'"),
        ({"sentiment": 3}, "from -1 to 1"),
        ({"hashtags": "Derby"}, "list of strings"),
        ({"attrs": []}, "'attrs' must be an object"),
    ],
)
def test_bad_events_say_why(change: dict, reason: str) -> None:
    raw = event_dict()
    raw.update(change)
    with pytest.raises(EventError, match=reason):
        parse_event({k: v for k, v in raw.items() if v is not None})


def test_fan_types_need_a_fan_and_retracts_need_a_target() -> None:
    with pytest.raises(EventError, match="needs 'fan'"):
        parse_event(event_dict(type="purchase", attrs={"amount": "10"}))
    with pytest.raises(EventError, match="attrs.retracts"):
        parse_event(event_dict(type="retract"))
    assert parse_event(event_dict(type="retract", attrs={"retracts": "e1"})).retracts == "e1"


def test_unknown_attrs_keys_are_kept() -> None:
    assert parse_event(event_dict(attrs={"campaign_ref": "abc"})).attrs["campaign_ref"] == "abc"


def test_read_jsonl_keeps_going_after_bad_lines_and_skips_blank_ones() -> None:
    lines = [json.dumps(event_dict(id="a")), "", "{not json", json.dumps(event_dict(id="b", type="nope"))]
    lines.append(json.dumps(event_dict(id="c")))
    out = [(n, item) for n, item, _ in read_jsonl(lines)]
    assert [n for n, _ in out] == [1, 3, 4, 5]
    assert [type(item).__name__ for _, item in out] == ["Event", "Rejected", "Rejected", "Event"]
    bad = out[1][1]
    assert isinstance(bad, Rejected) and bad.line == 3 and bad.error.startswith("not JSON")


@pytest.mark.parametrize(
    ("line", "as_bytes"),
    [
        ('{"a": "é", "n": 12}', True),
        ('{"n": 12345678901234567890123}', False),  # beyond 64 bits: json reads it exactly
        ('{"n": NaN}', False),  # json only
        ('{"s": "\\ud800"}', False),  # orjson refuses even an escaped lone surrogate
        ('{"s": "\ud800"}', False),  # a raw one cannot be encoded
    ],
)
def test_a_kept_line_reads_again_as_json_reads_it(line: str, as_bytes: bool) -> None:
    first, kept = loads_keeping(line)
    assert isinstance(kept, bytes) is as_bytes
    again = loads_again(kept)
    assert json.dumps(first) == json.dumps(again) == json.dumps(json.loads(line))
