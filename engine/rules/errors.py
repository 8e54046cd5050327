"""Mistakes in a campaigns file, as data: every one is collected and reported at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class ConfigError:
    """One problem at a place in the file: `file:LINE:COL: path: problem (expected)`."""

    line: int
    col: int
    path: str
    problem: str
    expected: str = ""
    file: str = "campaigns.yaml"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        expected = f" ({self.expected})" if self.expected else ""
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.problem}{expected}"


def format_errors(errors: list[ConfigError]) -> str:
    """All errors, one per line, sorted by position, with a summary line."""
    if not errors:
        return ""
    name = errors[0].file
    lines = [str(e) for e in sorted(errors)]
    return "\n".join([*lines, f"{name}: {len(errors)} error(s)"])
