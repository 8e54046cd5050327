"""VADER's analyzer with the same results, without its quadratic and per-character work.

vaderSentiment 3.3.2 spends much of a post's time on bookkeeping rather than scoring:
it rebuilds the text character by character to spell out emoji even when a post has
none, and each negation or idiom check lowercases every word of the post again (once
per scored word and look-back step) and scans the negation word list linearly. The
subclass below keeps every rule and every arithmetic step in VADER's order and only
skips that repeated work, so polarities are identical to the library's
(tests/monitoring/test_fast_vader.py compares both on the labelled sets).
"""

from __future__ import annotations

from typing import Any

from vaderSentiment import vaderSentiment as vader

_NEGATE = frozenset(vader.NEGATE)


def _negated(word: str) -> bool:
    """`vader.negated([word])` for one word: a negation word, or a word with "n't"."""
    return word in _NEGATE or "n't" in word


class FastSentimentIntensityAnalyzer(vader.SentimentIntensityAnalyzer):
    """`SentimentIntensityAnalyzer` with identical scores, computed with less repeated work."""

    def polarity_scores(self, text: str) -> dict[str, float]:
        """VADER's scores (neg, neu, pos, compound) of a text."""
        emojis = self.emojis
        if emojis.keys().isdisjoint(text):  # no single-character emoji: VADER's loop copies the text
            text = text.strip()
        else:
            text = self._spell_emoji(text)
        sentitext = vader.SentiText(text)
        sentiments: list[Any] = []
        words = sentitext.words_and_emoticons
        last = len(words) - 1
        for i, item in enumerate(words):
            lower = item.lower()
            if lower in vader.BOOSTER_DICT:
                sentiments.append(0)
                continue
            if i < last and lower == "kind" and words[i + 1].lower() == "of":
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)

    def _spell_emoji(self, text: str) -> str:
        """VADER's emoji step: each emoji character replaced by its description."""
        parts: list[str] = []
        prev_space = True
        for ch in text:
            description = self.emojis.get(ch)
            if description is not None:
                if not prev_space:
                    parts.append(" ")
                parts.append(description)
                prev_space = False
            else:
                parts.append(ch)
                prev_space = ch == " "
        return "".join(parts).strip()

    @staticmethod
    def _negation_check(valence: float, words_and_emoticons: list[str], start_i: int, i: int) -> float:
        w = words_and_emoticons

        def low(k: int) -> str:
            return str(w[k]).lower()

        if start_i == 0:
            if _negated(low(i - 1)):
                valence = valence * vader.N_SCALAR
        if start_i == 1:
            if low(i - 2) == "never" and (low(i - 1) == "so" or low(i - 1) == "this"):
                valence = valence * 1.25
            elif low(i - 2) == "without" and low(i - 1) == "doubt":
                pass
            elif _negated(low(i - 2)):
                valence = valence * vader.N_SCALAR
        if start_i == 2:
            if (
                low(i - 3) == "never"
                and (low(i - 2) == "so" or low(i - 2) == "this")
                or (low(i - 1) == "so" or low(i - 1) == "this")
            ):
                valence = valence * 1.25
            elif low(i - 3) == "without" and (low(i - 2) == "doubt" or low(i - 1) == "doubt"):
                pass
            elif _negated(low(i - 3)):
                valence = valence * vader.N_SCALAR
        return valence

    @staticmethod
    def _special_idioms_check(valence: float, words_and_emoticons: list[str], i: int) -> float:
        w = words_and_emoticons
        n = len(w)
        w0, w1, w2, w3 = (str(w[k]).lower() for k in (i, i - 1, i - 2, i - 3))
        onezero = f"{w1} {w0}"
        twoonezero = f"{w2} {w1} {w0}"
        twoone = f"{w2} {w1}"
        threetwoone = f"{w3} {w2} {w1}"
        threetwo = f"{w3} {w2}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in vader.SPECIAL_CASES:
                valence = vader.SPECIAL_CASES[seq]
                break
        if n - 1 > i:
            zeroone = f"{w0} {str(w[i + 1]).lower()}"
            if zeroone in vader.SPECIAL_CASES:
                valence = vader.SPECIAL_CASES[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = f"{w0} {str(w[i + 1]).lower()} {str(w[i + 2]).lower()}"
            if zeroonetwo in vader.SPECIAL_CASES:
                valence = vader.SPECIAL_CASES[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in vader.BOOSTER_DICT:
                valence = valence + vader.BOOSTER_DICT[n_gram]
        return valence
