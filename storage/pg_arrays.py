"""Arrays of keys as one text parameter for PostgreSQL, written in a few C-speed joins.

A worker's batch sends about thirty-five arrays of up to 5,000 keys (the fans, events and
scores it loads, the inbox rows and badge progress it deletes, the fans it locks).
psycopg's list adapter converts them element by element in Python, which was 7 % of a
worker's CPU. The statements cast the text to the array type they need
(`CAST(%s AS text[])`), so they are the same whichever form the parameter takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def array_text(values: Iterable[Any]) -> str | list[Any]:
    """The text of a PostgreSQL array of `values` when all are text or all whole numbers;
    the values as a list, for psycopg to adapt, when they are anything else."""
    items = list(values)
    kinds = set(map(type, items))
    if kinds <= {str}:
        joined = "".join(items)
        if '"' in joined or "\\" in joined:  # the array syntax's two escapes
            items = [value.replace("\\", "\\\\").replace('"', '\\"') for value in items]
        return '{"' + '","'.join(items) + '"}' if items else "{}"
    if kinds == {int}:
        return "{" + ",".join(map(str, items)) + "}"
    return items
