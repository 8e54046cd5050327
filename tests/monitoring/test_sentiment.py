"""The scorer on what TextBlob's default analyzer misses: emoji, negation, German, hashtags."""

from __future__ import annotations

import pytest
from textblob import TextBlob

from monitoring.sentiment import SocialAnalyzer, label_for, score, textblob_score


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Was für ein Spiel!!! Ich liebe diesen Verein ❤️", "positive"),
        ("Schon wieder verloren 😡", "negative"),
        ("Das gefällt mir nicht", "negative"),  # German negation after the verb
        ("Kein schlechter Kaffee", "positive"),  # "kein" negates "schlecht"
        ("Anstoß heute um 15:30 im Stadion", "neutral"),
        ("Die Mannschaft war heute da", "neutral"),  # "die" and "war" are not English here
        ("Stinksauer nach dem Spiel", "negative"),  # compound ending in "sauer"
        ("🔥🔥🔥", "positive"),  # fans' fire, not VADER's "fire"
        ("#LoveThisClub", "positive"),  # hashtag split into words
        ("@killer_tweets see you at the game", "neutral"),  # handles carry no mood
        ("Not impressed. Sad.", "negative"),  # the negation stops at the sentence end
        ("", "neutral"),
        (None, "neutral"),
    ],
)
def test_labels_social_posts(text: str | None, label: str) -> None:
    assert score(text).label == label


def test_intensifiers_caps_and_exclamation_strengthen() -> None:
    plain = score("Das Spiel war gut").polarity
    assert score("Das Spiel war sehr gut").polarity > plain
    assert score("Das Spiel war mega gut!!!").polarity > score("Das Spiel war sehr gut").polarity
    assert score("The game was GOOD today").polarity > score("The game was good today").polarity


def test_dampeners_weaken_in_german() -> None:
    assert 0 < score("Der Kaffee war etwas gut").polarity < score("Der Kaffee war gut").polarity


def test_textblob_alone_misses_what_the_scorer_sees() -> None:
    assert textblob_score("Ich liebe diesen Verein ❤️").label == "neutral"
    assert score("Ich liebe diesen Verein ❤️").label == "positive"


def test_polarity_stays_within_bounds() -> None:
    for text in ("GEIL GEIL GEIL!!!! 🔥🔥🔥🔥😍😍😍", "Scheiße!!! 🤬🤬🤬 Katastrophe, furchtbar"):
        assert -1.0 <= score(text).polarity <= 1.0


def test_textblob_analyzer_gives_the_same_result() -> None:
    blob = TextBlob("Bester Espresso der Stadt 👌", analyzer=SocialAnalyzer())
    result = score("Bester Espresso der Stadt 👌")
    assert (blob.sentiment.polarity, blob.sentiment.label) == (result.polarity, result.label)


@pytest.mark.parametrize(
    ("polarity", "label"),
    [(0.05, "positive"), (0.0499, "neutral"), (-0.0499, "neutral"), (-0.05, "negative"), (1.0, "positive")],
)
def test_label_bands(polarity: float, label: str) -> None:
    assert label_for(polarity) == label
