"""JSON text for the database, written by orjson where it writes what `json` would.

An ingest batch writes a JSON event payload, campaign list and badge progress per event;
`json.dumps` for them was a noticeable part of a batch on both databases, and `json.loads`
of what a batch reads back (badge progress, fans' campaign lists) on PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from engine.events import loads as _loads_text

_PLAIN = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def dumps(value: Any) -> str:
    """`json.dumps(value)` as SQLAlchemy writes JSON, or the same value in fewer characters,
    several times faster (an ingest batch writes a JSON event payload, campaign list and
    badge progress per event). orjson writes what json refuses (times, dataclasses), and
    null for NaN and infinities, which json keeps: json takes over for those values and
    for whatever orjson refuses (integers beyond 64 bits, keys that are not strings)."""
    try:
        text = orjson.dumps(value, option=_PLAIN)
    except TypeError:
        return json.dumps(value)
    if b"null" in text:  # perhaps a NaN or an infinity, which json writes as such
        return json.dumps(value)
    return text.decode()


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """`json.loads(data)` as psycopg calls it for JSON columns (with the bytes the server
    sent), by orjson wherever it reads what json reads (`engine.events.loads`)."""
    if not isinstance(data, str):
        data = bytes(data).decode()
    return _loads_text(data)
