"""A whole JSON Lines input read once to be processed in `at` order (ties by id).

`simulate` and file ingestion both need every line before the first can be processed,
since a later line may be earlier in time. Holding every parsed `Event` for that cost
about 1 KiB per event (2.8 GiB peak for a million); what is kept here per line is its
sort key, its number and its text, and each line is parsed again when its turn comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from engine.events import Event, Rejected, loads, read_jsonl, trusted_event


@dataclass(slots=True)
class OrderedInput:
    """Good lines in processing order (first line per id), and what was set aside."""

    keyed: list[tuple[datetime, str, int, str]] = field(default_factory=list)  # at, id, line, text
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
            at, _id, line, text = keyed[index]
            keyed[index] = None  # type: ignore[call-overload]
            yield line, trusted_event(loads(text), at)
        keyed.clear()


def read_ordered(lines: Iterable[str], source: str = "") -> OrderedInput:
    """Read every line: the first line of each id is kept, later ones are duplicates."""
    out = OrderedInput()
    ids: set[str] = set()
    for line, item, text in read_jsonl(lines, source):
        if isinstance(item, Rejected):
            out.rejected.append(item)
        elif item.id in ids:
            out.duplicates += 1
        else:
            ids.add(item.id)
            out.keyed.append((item.at, item.id, line, text))
            if item.retracts is not None:
                out.retract_targets.add(item.retracts)
    out.keyed.sort()
    return out
