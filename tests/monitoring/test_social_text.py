"""Cleaning social text before scoring."""

from __future__ import annotations

import pytest

from monitoring.social_text import guess_language, prepare


def test_drops_retweet_prefix_handles_and_links() -> None:
    got = prepare("RT @club: Danke @anna_k für das Foto https://t.co/x1 www.club.de/a")
    assert got.text.split() == ["Danke", "für", "das", "Foto"]


def test_splits_hashtags_into_words() -> None:
    assert prepare("#LoveThisClub #NiemalsAllein #immerwieder #U21").text == (
        "Love This Club Niemals Allein immerwieder U 21"
    )


def test_separates_emoji_and_drops_variation_selectors() -> None:
    assert prepare("Sieg🔥🔥 ❤️").text.split() == ["Sieg", "🔥", "🔥", "❤"]


def test_decodes_html_entities() -> None:
    assert prepare("Kaffee &amp; Kuchen").text == "Kaffee & Kuchen"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Das war nicht gut", "de"),
        ("That was not good", "en"),
        ("Mies gespielt, mies gecoacht", "de"),  # German-only sentiment words
        ("i will die", "en"),
        ("Schöne Grüße", "de"),  # umlaut
    ],
)
def test_guesses_language(text: str, language: str) -> None:
    assert guess_language(text) == language
