"""The word lists the scorer adds to VADER's: German words, fans' emoji, social slang.

The lists are data files in monitoring/data/ (word, valence on VADER's -4..+4 scale), so a
community manager's correction is a one-line change a reviewer can read.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ADJECTIVE_ENDINGS = ("", "e", "er", "es", "en", "em")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

# German words that VADER's English lexicon scores as something else: "die" (the),
# "war" (was), "hell" (bright), "Gift" (poison), "Kind" (child), "Bad" (bath),
# "gross" (big, as groß is written without ß), "lose" (loose), "Ass" (ace).
# "Block" (a stadium section) too.
GERMAN_FALSE_FRIENDS = frozenset(
    {"die", "war", "hell", "gift", "kind", "bad", "gross", "lose", "ass", "block"}
)

# German function words spelled as the English ones VADER's rules know: negations
# ("not", "never", ...), intensifiers and dampeners (its booster list) and "but".
GERMAN_FUNCTION_WORDS = {
    "nicht": "not",
    "nichts": "nothing",
    "nie": "never",
    "niemals": "never",
    "kein": "not",
    "keine": "not",
    "keinen": "not",
    "keinem": "not",
    "keiner": "not",
    "keines": "not",
    "ohne": "without",
    "null": "not",
    "weder": "neither",
    "kaum": "hardly",
    "sehr": "very",
    "mega": "extremely",
    "voll": "totally",
    "total": "totally",
    "echt": "really",
    "richtig": "really",
    "wirklich": "really",
    "extrem": "extremely",
    "absolut": "absolutely",
    "ziemlich": "quite",
    "besonders": "especially",
    "unglaublich": "incredibly",
    "unfassbar": "incredibly",
    "etwas": "somewhat",
    "bisschen": "slightly",
    "aber": "but",
    "jedoch": "but",
}
GERMAN_NEGATIONS = frozenset({"not", "nothing", "never", "without", "neither"})

# German words that tell a post's language apart from English (neither list holds a
# word both languages share, such as "so" or "hat").
GERMAN_MARKERS = frozenset(
    "der die das und ist nicht ich ein eine einen mit für auf war wir ihr sind zu den dem des "
    "schon wieder auch noch hab habe mir mich uns heute kein keine keinen was wie wer sehr "
    "aber mal nur doch einfach endlich immer bin bei vom zum zur im ins es sie er man dass "
    "gibt hat hier jetzt euch eure unser unsere mein meine dein diese dieser dieses".split()
)
ENGLISH_MARKERS = frozenset(
    "the and is a an to of it this that was my for on with are you your we our i'm im not "
    "what who just be been have has had can't don't didn't won't at from they their so very "
    "really again all never no i me u ok".split()
)


def read_valences(name: str) -> dict[str, float]:
    """word -> valence from a data file; `adj` rows add inflections, umlauts add ae/oe/ue/ss."""
    words: dict[str, float] = {}
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, value, *kind = line.split("\t")
        endings = ADJECTIVE_ENDINGS if kind and kind[0] == "adj" else ("",)
        for ending in endings:
            form = word.lower() + ending  # not casefold: it turns ß into ss
            words.setdefault(form, float(value))
            words.setdefault(form.translate(UMLAUTS), float(value))
    return words


@cache
def german_words() -> dict[str, float]:
    """German sentiment words with their inflected and umlaut-free forms."""
    return read_valences("german_lexicon.tsv")


@cache
def german_only_words() -> frozenset[str]:
    """German sentiment words that are not English words too (evidence of a German post)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    english = SentimentIntensityAnalyzer().lexicon
    return frozenset(w for w in german_words() if w not in english and w not in slang_words())


@cache
def emoji_valences() -> dict[str, float]:
    """Emoji (without variation selectors) as fans use them."""
    return read_valences("emoji_valence.tsv")


@cache
def slang_words() -> dict[str, float]:
    """Social-media words VADER lacks or scores against their social use."""
    return read_valences("social_slang.tsv")
