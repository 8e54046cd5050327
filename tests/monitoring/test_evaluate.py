"""The evaluation's metrics and labelled set."""

from __future__ import annotations

from collections import Counter

import pytest

from monitoring.evaluate import Labelled, _tweet, fan_posts, figures


def test_accuracy_and_macro_f1_hand_checked() -> None:
    gold = ["positive", "positive", "neutral", "negative"]
    predicted = ["positive", "neutral", "neutral", "positive"]
    got = figures(gold, predicted)
    # positive: tp 1, fp 1, fn 1 -> F1 0.5; neutral: tp 1, fp 1, fn 0 -> 2/3; negative: 0
    assert got.accuracy == 0.5
    assert got.macro_f1 == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_fan_posts_are_labelled_in_both_languages_and_halves() -> None:
    posts = fan_posts()
    assert len(posts) == 240 and len({p.id for p in posts}) == 240
    assert Counter(p.language for p in posts) == {"de": 160, "en": 80}
    assert {p.label for p in posts} == {"positive", "neutral", "negative"}
    halves = Counter(p.split for p in posts)
    assert halves["dev"] > 100 and halves["test"] > 100


def test_a_post_always_lands_in_the_same_half() -> None:
    assert Labelled("de-001", "x", "positive").split == Labelled("de-001", "y", "negative").split


@pytest.mark.parametrize(
    ("rating", "label"), [("0.5", "positive"), ("0.49", "neutral"), ("-0.5", "negative")]
)
def test_tweet_ratings_become_labels(rating: str, label: str) -> None:
    assert _tweet(f"7\t{rating}\tsome text").label == label
