"""Social text made readable for a lexicon scorer: what a post says, not how it is addressed.

- "RT @club:" prefixes, @handles and links are dropped (they name, they do not judge);
- hashtags are split into words: #LoveThisClub -> "Love This Club", #NiemalsAllein ->
  "Niemals Allein" (a lowercase tag such as #immerwieder stays one word);
- HTML entities from platform APIs (&amp;) are decoded;
- emoji get spaces around them and lose their variation selectors, so "Sieg🔥🔥" is three
  tokens and "❤️" is the same token as "❤";
- the language is guessed from common function words and German-only sentiment words
  (German or English), because the same word means different things in both ("die",
  "war", "hell").
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from monitoring.lexicons import ENGLISH_MARKERS, GERMAN_MARKERS, emoji_valences, german_only_words

_RETWEET = re.compile(r"^RT @\w+:\s*")
_LINK = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_TAG_WORD = re.compile(r"[A-ZÄÖÜ]?[a-zäöüß]+|[A-ZÄÖÜ]+(?![a-zäöüß])|\d+")
_WORD = re.compile(r"[a-zäöüß']+")
_VARIATION = dict.fromkeys(map(ord, "\ufe0f\ufe0e\u200d"), None)
_UMLAUT = re.compile(r"[äöüß]")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A post ready for scoring: its cleaned text and its guessed language ("de" or "en")."""

    text: str
    language: str


def prepare(text: str) -> Prepared:
    """Clean one post (see the module docstring) and guess its language."""
    if "&" in text:
        text = html.unescape(text)
    text = _RETWEET.sub("", text)
    if "http" in text or "www." in text:
        text = _LINK.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(_split_tag, text)
    text = _space_emoji(text.translate(_VARIATION))
    return Prepared(text, guess_language(text))


def _split_tag(match: re.Match[str]) -> str:
    words = _TAG_WORD.findall(match.group(1))
    return " ".join(words) if words else match.group(1)


def _space_emoji(text: str) -> str:
    if text.isascii():
        return text
    emoji = emoji_valences()
    return "".join(f" {ch} " if ch in emoji else ch for ch in text)


def guess_language(text: str) -> str:
    """ "de" when German words (function words, German-only sentiment words, umlauts)
    outnumber English function words, else "en"."""
    words = _WORD.findall(text.lower())
    german_only = german_only_words()
    german = sum(1 for w in words if w in GERMAN_MARKERS or w in german_only)
    english = sum(1 for w in words if w in ENGLISH_MARKERS)
    if _UMLAUT.search(text.lower()):
        german += 1
    return "de" if german > english else "en"
