"""Sentiment of a post: polarity in -1..1 and a label, right on social text in English and German.

The scorer is VADER (Hutto and Gilbert, ICWSM 2014: a lexicon with rules for negation,
intensifiers, "but", ALL CAPS and exclamation marks) with these additions:

1. social text is cleaned first (`monitoring.social_text`): handles and links dropped,
   hashtags split into words, emoji separated;
2. its lexicon learns fans' emoji and slang (`monitoring/data/*.tsv`), and German posts
   are scored with German words, German negation and intensifiers (`monitoring.german`);
3. a negation does not reach across a sentence end (`fence_sentences`).

VADER runs as `monitoring.fast_vader` (the library's scores, less repeated work), and
scores are cached per raw text and per cleaned text (bounded LRU caches).

It plugs into TextBlob as an analyzer (`TextBlob(text, analyzer=SocialAnalyzer())`);
TextBlob's own pattern analyzer is the baseline (`textblob_score`). Blending TextBlob's
polarity in, or using it where VADER finds no scored word, lowered macro-F1 on the
tuning halves, so it is not blended (figures in docs/monitoring.md).

`score` is the one entry point: the engine's enrichment step, `simulate`, the
`sentiment score` command and the monitoring figures all use it.
"""

from __future__ import annotations

import copy
import re
from collections import namedtuple
from functools import cache, lru_cache

from textblob import TextBlob
from textblob.base import CONTINUOUS, BaseSentimentAnalyzer

from monitoring.fast_vader import FastSentimentIntensityAnalyzer
from monitoring.german import germanise
from monitoring.labels import LABELS, NEUTRAL_BAND, Sentiment, label_for
from monitoring.lexicons import GERMAN_FALSE_FRIENDS, emoji_valences, german_words, slang_words
from monitoring.social_text import Prepared, prepare

CACHE_SIZE = 1 << 16  # distinct texts remembered (raw and cleaned), about 20 MB at most each

__all__ = ["LABELS", "NEUTRAL_BAND", "Sentiment", "SocialAnalyzer", "label_for", "score", "textblob_score"]


class SocialScorer:
    """VADER with social and German lexicons: one analyzer per language."""

    def __init__(self) -> None:
        emoji = emoji_valences()
        self.english = FastSentimentIntensityAnalyzer()
        self.english.lexicon.update(slang_words())
        self.english.lexicon.update(emoji)
        # the emoji we score ourselves must not be spelled out into descriptions first
        spelled = self.english.emojis
        self.english.emojis = {k: v for k, v in spelled.items() if k.rstrip("\ufe0f") not in emoji}
        self.german = copy.copy(self.english)  # shares the emoji table, not the lexicon
        self.german.lexicon = {k: v for k, v in self.english.lexicon.items() if k not in GERMAN_FALSE_FRIENDS}
        self.german.lexicon.update(german_words())
        # Reposts and copy-paste campaigns repeat a text behind different "RT @x:" prefixes,
        # handles and links; once cleaned they are the same post and score the same.
        self.cleaned_polarity = lru_cache(maxsize=CACHE_SIZE)(self._cleaned_polarity)

    def polarity(self, text: str) -> float:
        """Polarity of one post in -1..1, rounded to 4 places."""
        return self.cleaned_polarity(prepare(text))

    def _cleaned_polarity(self, prepared: Prepared) -> float:
        if prepared.language == "de":
            analyzer = self.german
            cleaned = germanise(prepared.text, analyzer.lexicon)
        else:
            analyzer, cleaned = self.english, prepared.text
        value = analyzer.polarity_scores(fence_sentences(cleaned))["compound"]
        return round(max(-1.0, min(1.0, value)), 4)


def fence_sentences(text: str) -> str:
    """Three neutral tokens after each sentence end, so VADER's three-word look-back for
    negations and intensifiers stops there ("No points. Sad." is not "not sad"). The
    filler is an upper-case letter so VADER's ALL-CAPS test counts it as neither side."""
    return _SENTENCE_END.sub(r"\1 Ø Ø Ø ", text)


_SENTENCE_END = re.compile(r"([.!?…]+)\s+")


@cache
def scorer() -> SocialScorer:
    """The process's one scorer (building it reads the lexicons once)."""
    return SocialScorer()


@lru_cache(maxsize=CACHE_SIZE)
def score(text: str | None) -> Sentiment:
    """Score one text; no text is neutral."""
    if not text or not text.strip():
        return Sentiment(0.0, "neutral")
    polarity = scorer().polarity(text)
    return Sentiment(polarity, label_for(polarity))


def textblob_score(text: str | None) -> Sentiment:
    """TextBlob's default analyzer alone: the baseline the figures compare against."""
    polarity = round(float(TextBlob(text or "").sentiment.polarity), 4)
    return Sentiment(polarity, label_for(polarity))


SocialSentiment = namedtuple("SocialSentiment", ["polarity", "label"])


class SocialAnalyzer(BaseSentimentAnalyzer):
    """The scorer as a TextBlob analyzer: `TextBlob(text, analyzer=SocialAnalyzer()).sentiment`."""

    kind = CONTINUOUS

    def analyze(self, text: str) -> SocialSentiment:  # type: ignore[override]
        """(polarity, label) for a text."""
        result = score(text)
        return SocialSentiment(result.polarity, result.label)
