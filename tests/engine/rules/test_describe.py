"""Rules and boosts in plain words, sentence by sentence."""

from __future__ import annotations

from pathlib import Path

from engine.rules.describe import describe_boost, describe_rule
from engine.rules.loader import load_campaigns
from tests.factories import campaigns

ROOT = Path(__file__).resolve().parents[3]


def test_the_acme_campaign_in_words() -> None:
    loaded, errors = load_campaigns(ROOT / "campaigns.yaml")
    assert loaded is not None, errors
    acme = loaded.campaign("acme-autumn")
    assert acme is not None
    assert [describe_rule(rule) for rule in acme.rules] == [
        "15 points for each quote, at most 5 a day.",
        "5 points for each reply or comment, at most 10 a day.",
        "5 points for each mention with sentiment at least 0.2, at most 5 a day.",
        "2 points for each repost with platform x, at most 3 a day.",
        "2 points for each share with platform mastodon, at most 3 a day.",
        "50 points for each linked profile, at most 1 per campaign.",
        "20 points for each check-in, at most 1 a day.",
        "2 points per unit of amount for each purchase with amount at least 5, at most 400 points a week.",
    ]
    assert [describe_boost(boost) for boost in acme.boosts] == [
        "Points are doubled on Saturdays and Sundays."
    ]


def test_windows_ranges_texts_and_any() -> None:
    loaded = campaigns(
        """
        version: 1
        campaigns:
          - id: c
            name: C
            starts: 2026-11-01
            rules:
              - id: evening
                on: any
                points: 1
                during: {days: [fri, mon], hours: "18:00-22:30"}
              - id: words
                on: [comment, share]
                if: {text: {contains: [goal, tor]}, followers: {min: 10, max: 500}}
                points: 3
                max: {count: 2, per: hour}
            boosts:
              - {factor: 1.5, starts: 2026-11-20T00:00:00Z, ends: 2026-11-22T00:00:00Z}
        """
    )
    rules = loaded.campaigns[0].rules
    assert (
        describe_rule(rules[0])
        == "1 point for each activity of any kind on Mondays and Fridays between 18:00 and 22:30."
    )
    assert describe_rule(rules[1]) == (
        "3 points for each share or comment with text containing “goal” or “tor” "
        "and followers between 10 and 500, at most 2 an hour."
    )
    assert describe_boost(loaded.campaigns[0].boosts[0]) == (
        "Points are multiplied by 1.5 from 2026-11-20 00:00 UTC to 2026-11-22 00:00 UTC."
    )
