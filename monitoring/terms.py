"""What a post is about: its hashtags and its topics, cheaply enough for every event.

Topics are the post's content words: in a German post its nouns (German capitalises
them; the first word of a sentence is skipped), in an English post every word of four
letters or more that is not a stop word. Links, @handles and hashtags are not topics.
TextBlob's noun-phrase extractors need NLTK corpora that are not installable offline
and cost far more per post, so this tokenizer stands in for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from monitoring.social_text import guess_language

_STRIP = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_TOKEN = re.compile(r"[^\W\d_][\w'-]*|[.!?]")
ENGLISH_STOP = frozenset(
    "about after again also back been being best come could does done even every from game have "
    "here into just know like love make many more most much must never next only other over really "
    "same should since some still such than that their them then there these they this those "
    "today very want well were what when where which while will with would your yours great good "
    "thanks thank always again people thing things going gonna".split()
)
GERMAN_STOP = frozenset(
    "Ich Du Er Sie Es Wir Ihr Man Das Die Der Ein Eine Danke Bitte Heute Hier Ja Nein".split()
)
MIN_LENGTH = 4


def topics(text: str | None) -> list[str]:
    """The post's topics, lowercased, each once, in order of appearance."""
    if not text:
        return []
    clean = _STRIP.sub(" ", text)
    tokens = _TOKEN.findall(clean)
    found = _german_nouns(tokens) if guess_language(clean) == "de" else _english_words(tokens)
    return list(dict.fromkeys(found))


def _german_nouns(tokens: list[str]) -> Iterable[str]:
    start = True
    for token in tokens:
        if token in ".!?":
            start = True
            continue
        if not start and token[0].isupper() and len(token) >= MIN_LENGTH and token not in GERMAN_STOP:
            yield token.lower()
        start = False


def _english_words(tokens: list[str]) -> Iterable[str]:
    for token in tokens:
        word = token.lower()
        if len(word) >= MIN_LENGTH and word not in ENGLISH_STOP and "'" not in word:
            yield word


def hashtags(tags: Iterable[str]) -> list[str]:
    """Hashtags as one spelling each: lowercase, without '#'."""
    return list(dict.fromkeys(t.lstrip("#").lower() for t in tags if t.strip("#")))
