"""German posts rewritten for VADER's rules."""

from __future__ import annotations

from monitoring.german import germanise
from monitoring.sentiment import scorer


def rewrite(text: str) -> str:
    return germanise(text, scorer().german.lexicon)


def test_function_words_become_the_english_ones_vader_knows() -> None:
    assert rewrite("sehr gut aber nicht perfekt") == "very gut but not perfekt"


def test_trailing_negation_moves_before_the_word_it_negates() -> None:
    assert rewrite("Das Spiel gefiel mir nicht") == "Das Spiel not gefiel mir"
    assert rewrite("Ich mag den Kaffee nicht, danke!") == "Ich not mag den Kaffee, danke!"


def test_negation_does_not_cross_a_clause_unless_it_stands_alone() -> None:
    assert rewrite("Gut gespielt, wirklich nicht") == "Gut gespielt, really not"
    assert rewrite("Tolles Spiel... NICHT.") == "not Tolles Spiel...."


def test_negation_stays_when_a_scored_word_follows() -> None:
    assert rewrite("nicht schlecht") == "not schlecht"


def test_compounds_take_the_valence_of_their_last_part() -> None:
    assert rewrite("todtraurig Heimniederlage Scheißspiel Spielbericht") == (
        "traurig niederlage scheiß Spielbericht"
    )
