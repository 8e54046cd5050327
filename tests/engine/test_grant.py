"""The `grant` event (an extension): programme points, with or without a campaign, undoable."""

from __future__ import annotations

import pytest

from engine.events import EventError, parse_event
from engine.rules.loader import load_campaigns_text
from tests.factories import simulate

CAMPAIGNS = """
version: 1
levels: [{name: Member, points: 0}, {name: Gold, points: 100}]
campaigns:
  - id: autumn
    name: Autumn
    rules: [{id: visit, on: checkin, points: 10}]
    badges: [{id: busy, name: Busy, on: any, count: 2}]
    leaderboards: [{id: all-time}]
"""


def grant(
    id: str, points: int, reason: str = "Happy birthday!", campaign: str | None = None, **extra
) -> dict:  # type: ignore[no-untyped-def]
    attrs = {"points": points, "reason": reason} | ({"campaign": campaign} if campaign else {})
    return {
        "id": id,
        "platform": "web",
        "type": "grant",
        "at": "2026-11-20T10:00:00Z",
        "fan": "anna",
        "attrs": attrs,
    } | extra


def test_a_grant_without_campaign_counts_for_totals_and_levels_only() -> None:
    result = simulate(CAMPAIGNS, [grant("g1", 120)])
    assert result["fans"]["anna"] == {"points": 120, "balance": 120, "level": "Gold", "campaigns": {}}
    assert result["leaderboards"] == {}
    assert result["ledger"] == [
        {
            "event": "g1",
            "fan": "anna",
            "campaign": "",
            "grant": "happy-birthday",
            "points": 120,
            "at": "2026-11-20T10:00:00Z",
            "note": "",
        }
    ]


def test_a_grant_in_a_campaign_reaches_its_board_but_no_badge() -> None:
    checkin = {"id": "c1", "platform": "web", "type": "checkin", "at": "2026-11-20T09:00:00Z", "fan": "anna"}
    result = simulate(CAMPAIGNS, [checkin, grant("g1", 25, "Goodwill", "autumn")])
    assert result["fans"]["anna"]["campaigns"] == {
        "autumn": {"points": 35, "badges": []}
    }  # busy needs 2 events
    assert result["leaderboards"] == {"autumn/all-time": [{"rank": 1, "fan": "anna", "points": 35}]}


def test_negative_grants_correct_and_retracting_a_grant_undoes_it() -> None:
    retract = {
        "id": "r1",
        "platform": "web",
        "type": "retract",
        "at": "2026-11-21T10:00:00Z",
        "attrs": {"retracts": "g1"},
    }
    result = simulate(CAMPAIGNS, [grant("g1", 120), grant("g2", -20, "Correction"), retract])
    assert result["fans"]["anna"]["points"] == -20 + 0
    assert [e["points"] for e in result["ledger"]] == [120, -20, -120]
    assert result["fans"]["anna"]["level"] is None


def test_a_grant_naming_an_unknown_campaign_is_rejected() -> None:
    result = simulate(CAMPAIGNS, [grant("g1", 5, campaign="nope")])
    assert result["rejected"] == [{"line": 1, "error": "grant names unknown campaign 'nope'"}]


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"reason": "x"}, "attrs.points, a whole number"),
        ({"points": True, "reason": "x"}, "attrs.points, a whole number"),
        ({"points": 5}, "attrs.reason"),
        ({"points": 5, "reason": "x", "campaign": 3}, "campaign id"),
    ],
)
def test_malformed_grants_say_what_is_missing(attrs: dict, message: str) -> None:  # type: ignore[type-arg]
    raw = {
        "id": "g",
        "platform": "web",
        "type": "grant",
        "at": "2026-11-20T10:00:00Z",
        "fan": "anna",
        "attrs": attrs,
    }
    with pytest.raises(EventError, match=message):
        parse_event(raw)
    with pytest.raises(EventError, match="needs 'fan'"):
        parse_event(raw | {"fan": None, "attrs": {"points": 1, "reason": "x"}})


def test_campaign_rules_cannot_name_grant() -> None:
    text = CAMPAIGNS.replace("on: checkin", "on: grant")
    loaded, errors = load_campaigns_text(text)
    assert loaded is None and errors[0].problem == "unknown event type 'grant'"
