"""German posts rewritten so VADER's rules apply to them.

VADER's negation, intensifier and "but" rules look for English words. A German post
gets those words in place of its own ("nicht" -> "not", "sehr" -> "very", "aber" ->
"but"; the full list is `GERMAN_FUNCTION_WORDS`), and two German habits are handled:

- negation after the verb: in "Das gefällt mir nicht" the "nicht" follows what it
  negates. When nothing scored follows a negation in its clause, it moves before the
  nearest scored word up to three words back; a negation standing alone as a
  sentence reaches into the sentence before ("Tolles Spiel... NICHT." reads as
  "not Tolles Spiel....");
- compounds: an unknown word ending in a known one takes its valence ("stinksauer"
  -> "sauer", "Heimniederlage" -> "Niederlage"), as do a few judging prefixes
  ("Scheißspiel", "Traumtor").
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache

from monitoring.lexicons import GERMAN_FUNCTION_WORDS, GERMAN_NEGATIONS, german_words

CLAUSE_ENDS = frozenset(",.!?;:…–")
PREFIXES = (
    ("scheiß", "scheiß"),
    ("scheiss", "scheiß"),
    ("kack", "kacke"),
    ("mist", "mist"),
    ("traum", "traum"),
    ("hammer", "hammer"),
    ("lieblings", "lieblings"),
    ("grotten", "grottig"),
    ("horror", "furchtbar"),
    ("katastrophen", "katastrophe"),
)
MIN_PART = 4  # shortest known word a compound may end in
LOOKBACK = 3  # how far back a trailing negation may reach, as VADER's own window


def germanise(text: str, lexicon: Mapping[str, float]) -> str:
    """The German post with English function words, split compounds, moved negations."""
    tokens = [_cached_token(raw) for raw in text.split()]
    _move_trailing_negations(tokens, lexicon)
    return " ".join(tokens)


@lru_cache(maxsize=1 << 16)
def _cached_token(raw: str) -> str:
    """`_token` against the German word list; words repeat far more than posts do."""
    return _token(raw, german_words())


def _token(raw: str, german: Mapping[str, float]) -> str:
    core = raw.strip(string.punctuation)
    word = core.lower()
    if not word or word in german:
        return raw
    if word in GERMAN_FUNCTION_WORDS:
        return raw.replace(core, GERMAN_FUNCTION_WORDS[word])
    part = _compound_part(word, german)
    return raw.replace(core, part) if part else raw


def _compound_part(word: str, german: Mapping[str, float]) -> str | None:
    for start in range(1, len(word) - MIN_PART + 1):
        if word[start:] in german:
            return word[start:]
    for prefix, meaning in PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            return meaning
    return None


def _move_trailing_negations(tokens: list[str], lexicon: Mapping[str, float]) -> None:
    for i in range(len(tokens)):
        negation = _word(tokens[i])
        if negation not in GERMAN_NEGATIONS or _scored_ahead(tokens, i, lexicon):
            continue
        alone = _ends_clause(tokens[i])  # "Tolles Spiel... NICHT." negates the sentence before
        for j in range(i - 1, max(-1, i - 1 - LOOKBACK), -1):
            if _ends_clause(tokens[j]) and not (alone and j == i - 1):
                break
            if _word(tokens[j]) in lexicon:
                rest = tokens[i].replace(negation, "", 1)  # its punctuation stays where it was
                del tokens[i]
                tokens[i - 1] += rest
                tokens.insert(j, negation)
                break


def _scored_ahead(tokens: list[str], i: int, lexicon: Mapping[str, float]) -> bool:
    if _ends_clause(tokens[i]):
        return False
    for token in tokens[i + 1 :]:
        if _word(token) in lexicon:
            return True
        if _ends_clause(token):
            return False
    return False


def _word(token: str) -> str:
    return token.strip(string.punctuation).lower()


def _ends_clause(token: str) -> bool:
    return bool(token) and (token[-1] in CLAUSE_ENDS or token.lower() == "but")
