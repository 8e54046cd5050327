"""JSON text for the database: orjson's speed, json's text wherever the two would differ."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from storage.jsontext import dumps, loads


def test_json_is_compact_but_written_by_json_where_a_null_may_stand_for_a_nan() -> None:
    assert dumps({"a": 1, "b": [1.5, "é", None]}) == '{"a": 1, "b": [1.5, "\\u00e9", null]}'
    assert dumps({"a": 1, "b": [1.5, "é", True]}) == '{"a":1,"b":[1.5,"é",true]}'


@pytest.mark.parametrize(
    "value",
    [{"amount": 10**20}, {1: "x"}, {"text": "lone \ud800"}, {"score": float("inf")}],
)
def test_json_takes_over_where_orjson_would_differ_or_refuse(value: object) -> None:
    assert dumps(value) == json.dumps(value)


def test_nan_is_kept_as_json_keeps_it() -> None:
    assert dumps({"x": float("nan")}) == '{"x": NaN}'
    assert math.isnan(json.loads(dumps({"x": float("nan")}))["x"])


def test_what_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        dumps({"at": datetime(2026, 11, 1, tzinfo=UTC)})


def test_postgresql_engines_write_json_through_it(postgres_engine) -> None:  # type: ignore[no-untyped-def]
    """Every JSON value bound on PostgreSQL (ORM and Core, not only the bulk path) is written
    as this text, and read back as the same value."""
    value = {"a": 1, "text": "Grüße", "none": None}
    with postgres_engine.connect() as conn:
        as_text = conn.scalar(sa.select(sa.cast(sa.literal({"a": 1, "text": "Grüße"}, sa.JSON), sa.Text)))
        back = conn.scalar(sa.select(sa.literal(value, sa.JSON)))
    assert as_text == '{"a":1,"text":"Grüße"}'  # json.dumps: '{"a": 1, "text": "Gr\\u00fc\\u00dfe"}'
    assert back == value


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1.5, "é", null]}',
        '{"amount": 123456789012345678901234}',
        '{"x": NaN}',
        "[1e999]",
        '"\\ud800"',
    ],
)
def test_json_is_read_as_json_reads_it(text: str) -> None:
    expected = json.loads(text)
    for data in (text, text.encode(), memoryview(text.encode())):
        got = loads(data)
        assert repr(got) == repr(expected) and type(got) is type(expected)


def test_postgresql_engines_read_json_through_it(postgres_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """JSON columns are decoded by `loads` on PostgreSQL, big integers kept exact."""
    import storage.jsontext

    calls = []
    monkeypatch.setattr(storage.jsontext, "_loads_text", lambda text: calls.append(text) or json.loads(text))
    with postgres_engine.connect() as conn:
        back = conn.scalar(sa.select(sa.literal({"big": 10**20, "t": "ü"}, sa.JSON)))
    assert back == {"big": 10**20, "t": "ü"}
    assert calls
