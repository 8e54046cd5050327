"""Sentiment of a post: polarity in -1..1 and a label, TextBlob behind this one module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from textblob import TextBlob

NEUTRAL_BAND = 0.05  # |polarity| below this is neutral


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


@lru_cache(maxsize=65536)
def score(text: str | None) -> Sentiment:
    """Score one text; no text is neutral."""
    if not text or not text.strip():
        return Sentiment(0.0, "neutral")
    polarity = max(-1.0, min(1.0, float(TextBlob(text).sentiment.polarity)))
    return Sentiment(round(polarity, 4), label_for(polarity))
