"""A whole JSON Lines input read once to be processed in `at` order (ties by id).

`simulate` and file ingestion both need every line before the first can be processed,
since a later line may be earlier in time. Holding every parsed `Event` for that cost
about 1 KiB per event (2.8 GiB peak for a million); what is kept here per line is its
sort key, its number and its text, and each line is parsed again when its turn comes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from engine.events import (
    Event,
    EventError,
    Rejected,
    loads_again,
    loads_keeping,
    parse_event,
    parse_line,
    plain_key,
    trusted_event,
)


@dataclass(slots=True)
class OrderedInput:
    """Good lines in processing order (first line per id), and what was set aside."""

    # at, id, line number, and the line as `loads_keeping` keeps it (mostly its UTF-8 bytes)
    keyed: list[tuple[datetime, str, int, str | bytes]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: int = 0
    retract_targets: set[str] = field(default_factory=set)  # ids some retract names

    def batches(self, size: int) -> Iterator[list[tuple[int, Event]]]:
        """`(line number, event)` lists of `size` in processing order (see `drain`)."""
        part: list[tuple[int, Event]] = []
        for item in self.drain():
            part.append(item)
            if len(part) == size:
                yield part
                part = []
        if part:
            yield part

    def drain(self) -> Iterator[tuple[int, Event]]:
        """`(line number, event)` in processing order, parsed again from the kept text, letting
        go of each text once parsed: the state grows into the memory the texts leave. The
        first reading validated every kept line, so this one only builds its `Event`."""
        keyed = self.keyed
        for index in range(len(keyed)):
            at, _id, line, kept = keyed[index]
            keyed[index] = None  # type: ignore[call-overload]
            yield line, trusted_event(loads_again(kept), at)
        keyed.clear()


def read_ordered(lines: Iterable[str], source: str = "") -> OrderedInput:
    """Read every line: the first line of each id is kept, later ones are duplicates.

    What `read_jsonl` accepts and rejects, with its errors; lines of the common shape are
    only checked (`plain_key`), the others parsed into an `Event` to find their key.
    """
    out = OrderedInput()
    ids: set[str] = set()
    keyed, rejected = out.keyed, out.rejected
    for line, text in enumerate(lines, start=1):
        if not text or text.isspace():  # `not text.strip()` without copying the line
            continue
        try:
            raw, kept = loads_keeping(text)
        except json.JSONDecodeError:
            key, raw, kept = None, _NOT_JSON, text
        else:
            key = plain_key(raw)
        retracts = None
        if key is None:
            try:
                event = parse_line(text) if raw is _NOT_JSON else parse_event(raw)
            except EventError as exc:
                rejected.append(Rejected(line, str(exc), text.rstrip("\n"), source))
                continue
            key, retracts = (event.at, event.id), event.retracts
        at, event_id = key
        if event_id in ids:
            out.duplicates += 1
            continue
        ids.add(event_id)
        keyed.append((at, event_id, line, kept))
        if retracts is not None:
            out.retract_targets.add(retracts)
    keyed.sort()
    return out


_NOT_JSON = object()
