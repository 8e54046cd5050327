"""The sentiment scorer as the engine consumes it: text in, polarity out."""

from __future__ import annotations

from collections.abc import Callable


def default_scorer() -> Callable[[str | None], float]:
    """The monitoring module's scorer, reduced to the polarity the rules read."""
    from monitoring.sentiment import score

    return lambda text: score(text).polarity
