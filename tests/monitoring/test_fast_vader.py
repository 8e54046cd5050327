"""The faster VADER analyzer gives the library's scores exactly, rule by rule and on real posts."""

from __future__ import annotations

import itertools

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitoring.evaluate import fan_posts
from monitoring.fast_vader import FastSentimentIntensityAnalyzer
from monitoring.sentiment import fence_sentences, scorer

# One sentence per VADER rule the subclass touches, plus emoji and edge cases.
RULES = [
    "The food was not good",  # negation one word back
    "The food isn't really that good",  # n't, three words back
    "Never so happy in my life",  # never so -> boost
    "I am never this excited",
    "Without doubt the best game",  # without doubt is not a negation
    "It was without a doubt good",
    "The team is kind of good",  # kind of dampens
    "Sort of nice but mostly boring",  # but shifts the weight
    "That concert was the bomb",  # special idioms
    "This dish is to die for",
    "It was the kiss of death for them",
    "Yeah right, great service",
    "No problem at all",  # no before a lexicon word
    "No, no, no. Terrible",
    "At least it was not awful",  # least
    "The least good player",
    "GREAT game today lads",  # ALL CAPS among lower case
    "WHAT A GAME",
    "Great!!!! Really???",  # punctuation emphasis
    "I love it 😍😍 but the ending 😡",  # emoji spelled out
    "👍",
    "  padded text with spaces  ",
    "",
    "!!!",
    "nor bad or good, not that bad",
]


def analyzers(lexicon: dict[str, float], emojis: dict[str, str]) -> tuple[SentimentIntensityAnalyzer, ...]:
    pair = (SentimentIntensityAnalyzer(), FastSentimentIntensityAnalyzer())
    for analyzer in pair:
        analyzer.lexicon, analyzer.emojis = dict(lexicon), dict(emojis)
    return pair


@pytest.mark.parametrize("language", ["library", "english", "german"])
def test_scores_identical_to_the_library(language: str) -> None:
    if language == "library":
        library = SentimentIntensityAnalyzer()
        lexicon, emojis = library.lexicon, library.emojis
    else:
        analyzer = getattr(scorer(), language)
        lexicon, emojis = analyzer.lexicon, analyzer.emojis
    original, fast = analyzers(lexicon, emojis)
    posts = [p.text for p in fan_posts()]
    texts = RULES + posts + [fence_sentences(f"{a} {b}") for a, b in itertools.pairwise(posts)]
    differing = [t for t in texts if original.polarity_scores(t) != fast.polarity_scores(t)]
    assert differing == []
    assert fast.polarity_scores("The food was not good")["compound"] == -0.3412  # VADER's published example
