"""Monitoring commands: `flask --app app sentiment score` and `flask --app app monitoring ...`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from flask.cli import AppGroup

sentiment_group = AppGroup("sentiment", help="Score the sentiment of posts.")


@sentiment_group.command("score")
def sentiment_score() -> None:
    """Read JSON Lines {"id", "text"} on stdin, write {"id", "polarity", "label"} per line.

    A bad line is reported on stderr with its line number and skipped; the others are
    scored. The exit status is 1 when any line was bad.
    """
    bad = score_stream(sys.stdin, sys.stdout, sys.stderr)
    if bad:
        sys.exit(1)


def score_stream(lines: Iterable[str], out: TextIO, err: TextIO) -> int:
    """Score every good line of `lines` onto `out`; report bad ones on `err`; the number bad."""
    from monitoring.sentiment import score

    bad = 0
    for number, item in _items(lines):
        if isinstance(item, str):
            bad += 1
            err.write(f"line {number}: {item}\n")
            continue
        result = score(item["text"])
        out.write(
            json.dumps(
                {"id": item["id"], "polarity": result.polarity, "label": result.label}, ensure_ascii=False
            )
            + "\n"
        )
    return bad


def _items(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, {"id", "text"} or the reason the line is bad); blank lines skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not JSON: {exc.msg}"
            continue
        if not isinstance(item, dict):
            yield number, "not a JSON object"
        elif not isinstance(item.get("id"), str | int) or isinstance(item.get("id"), bool):
            yield number, "missing 'id' (a string or number)"
        elif item.get("text") is not None and not isinstance(item["text"], str):
            yield number, "'text' must be a string"
        else:
            yield number, {"id": item["id"], "text": item.get("text")}


def register(app) -> None:  # type: ignore[no-untyped-def]
    """Attach the monitoring commands to the app's CLI."""
    app.cli.add_command(sentiment_group)
