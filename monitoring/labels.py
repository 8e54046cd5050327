"""Sentiment labels: the bands that turn a polarity into positive, neutral or negative."""

from __future__ import annotations

from dataclasses import dataclass

NEUTRAL_BAND = 0.05  # |polarity| below this is neutral (VADER's own recommended threshold)
LABELS = ("positive", "neutral", "negative")


@dataclass(frozen=True, slots=True)
class Sentiment:
    """A text's polarity (-1..1) and its label: positive, neutral or negative."""

    polarity: float
    label: str


def label_for(polarity: float) -> str:
    """positive / neutral / negative for a polarity."""
    if polarity >= NEUTRAL_BAND:
        return "positive"
    if polarity <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"
