"""Read YAML 1.2 keeping the line and column of every key and item.

ruamel.yaml's round-trip loader records positions on each mapping and sequence
(`.lc`), so no custom loader is needed, and as a YAML 1.2 reader it keeps a bare
`on:` key as the string "on" (YAML 1.1 readers turn it into True). Timestamps stay
strings: the campaign language gives dates and times its own meaning (a date in
`ends` is the end of that day in the campaign's timezone).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from engine.rules.errors import ConfigError


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as their source text."""


def _timestamp_as_text(constructor: RoundTripConstructor, node: Any) -> str:
    return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _reader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def parse_yaml(text: str, filename: str) -> tuple[Any, list[ConfigError]]:
    """The document, or the syntax error at its place."""
    try:
        return _reader().load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        return None, [ConfigError(line, col, "", f"YAML syntax: {problem}", "valid YAML", filename)]
    except ReaderError as exc:  # a control character YAML forbids, before any token is read
        line, col = _place(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"character #x{code:04x} is not allowed in YAML"
        return None, [ConfigError(line, col, "", problem, "printable text", filename)]


def _place(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, col) of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def position(parent: Any, key: str | int | None = None, *, of_key: bool = False) -> tuple[int, int]:
    """1-based (line, col) of `parent[key]` (its key with `of_key`), or of `parent` itself."""
    try:
        if key is not None and isinstance(parent, CommentedMap):
            line, col = parent.lc.key(key) if of_key else parent.lc.value(key)
            return line + 1, col + 1
        if key is not None and isinstance(parent, CommentedSeq):
            line, col = parent.lc.item(key)
            return line + 1, col + 1
        return parent.lc.line + 1, parent.lc.col + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return 1, 1
