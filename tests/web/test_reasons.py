"""Ledger entries in plain words, in English and German."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_babel import force_locale

from engine.rules.loader import load_campaigns
from web.reasons import reason

ROOT = Path(__file__).resolve().parents[2]
QUOTE = {"type": "quote", "post": {"id": "1", "author": "acmecoffee"}}


@pytest.fixture
def acme(app):  # type: ignore[no-untyped-def]
    loaded, errors = load_campaigns(ROOT / "campaigns.yaml")
    assert loaded is not None, errors
    with app.test_request_context():
        yield loaded.campaign("acme-autumn")


def _entry(points: int, note: str = "", **source: str) -> dict:
    return {
        "event": "e",
        "campaign": "acme-autumn",
        "points": points,
        "note": note,
        **(source or {"rule": "quote"}),
    }


def test_awards_caps_cuts_and_retractions_in_words(acme) -> None:  # type: ignore[no-untyped-def]
    assert reason(_entry(15), QUOTE, acme) == "Quote of @acmecoffee's post: 15 points"
    assert reason(_entry(0, "capped"), QUOTE, acme) == "Quote of @acmecoffee's post: capped: 5 a day"
    assert (
        reason(_entry(-15, "retracted"), QUOTE, acme) == "Quote of @acmecoffee's post: retracted, −15 points"
    )
    purchase = {"type": "purchase", "attrs": {"amount": 300}}
    assert (
        reason(_entry(100, "cut to 100 by cap", rule="purchase"), purchase, acme)
        == "Purchase of 300: 100 points (cut by the limit of 400 points a week)"
    )
    mention = {"type": "mention", "mentions": ["acmecoffee", "friend"]}
    assert reason(_entry(1, rule="kind-words"), mention, acme) == "Mention of @acmecoffee, @friend: 1 point"
    assert reason(_entry(20, rule="cafe-visit"), {"type": "checkin"}, acme) == "Check-in: 20 points"
    answer = _entry(0, "all 50 winners already found", challenge="origin")
    assert reason(answer, {"type": "quiz_answer"}, acme) == (
        "Answer to “Which country do the beans of the Autumn Blend come from?”: "
        "all 50 winners were already found, no points"
    )


def test_the_same_in_german(acme) -> None:  # type: ignore[no-untyped-def]
    with force_locale("de"):
        assert reason(_entry(15), QUOTE, acme) == "Zitat des Beitrags von @acmecoffee: 15 Punkte"
        assert (
            reason(_entry(0, "capped"), QUOTE, acme)
            == "Zitat des Beitrags von @acmecoffee: gedeckelt: 5 pro Tag"
        )
        assert reason(_entry(1, rule="quote"), QUOTE, acme) == "Zitat des Beitrags von @acmecoffee: 1 Punkt"
