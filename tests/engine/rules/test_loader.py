"""Loading campaigns.yaml: every error at once, at its line and column, and nothing half-loaded."""

from __future__ import annotations

import textwrap
from datetime import datetime
from zoneinfo import ZoneInfo

from engine.rules.loader import load_campaigns, load_campaigns_text
from tests.factories import campaigns


def errors_of(text: str) -> list[str]:
    loaded, errors = load_campaigns_text(textwrap.dedent(text))
    assert loaded is None
    return [str(e) for e in errors]


def test_the_example_files_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    for name in ("derby-week", "advent-quiz"):
        loaded, errors = load_campaigns(Path(__file__).parents[1] / "examples" / name / "campaigns.yaml")
        assert errors == [] and loaded is not None


def test_a_bare_on_key_is_the_string_on_not_true() -> None:
    cs = campaigns("""
        version: 1
        campaigns:
          - id: c
            rules:
              - {id: r, on: share, points: 1}
    """)
    assert cs.campaigns[0].rules[0].on == frozenset({"share"})


def test_unknown_keys_suggest_the_closest_key() -> None:
    errors = errors_of("""
        version: 1
        campaigns:
          - id: c
            rules:
              - {id: r, on: share, pionts: 1}
    """)
    assert any(
        "campaigns[0].rules[0].pionts: unknown key 'pionts', did you mean 'points'?" in e for e in errors
    )
    assert any("missing key 'points'" in e for e in errors)


def test_yaml_syntax_errors_point_at_their_place() -> None:
    errors = errors_of("version: 1\ncampaigns: [\n  - id: c\n")
    assert len(errors) == 1 and errors[0].startswith("campaigns.yaml:") and "YAML syntax" in errors[0]


def test_version_is_required_and_checked() -> None:
    assert any("missing key 'version'" in e for e in errors_of("campaigns: []\n"))
    assert any("unsupported version 2" in e for e in errors_of("version: 2\ncampaigns: []\n"))


def test_a_date_ends_at_the_end_of_that_day_in_the_campaign_timezone() -> None:
    cs = campaigns("""
        version: 1
        timezone: Europe/Berlin
        campaigns:
          - {id: c, starts: 2026-12-01, ends: 2026-12-07}
    """)
    berlin = ZoneInfo("Europe/Berlin")
    assert cs.campaigns[0].starts == datetime(2026, 12, 1, tzinfo=berlin)
    assert cs.campaigns[0].ends.astimezone(berlin).isoformat() == "2026-12-07T23:59:59.999999+01:00"


def test_a_date_time_without_offset_is_an_error() -> None:
    errors = errors_of("""
        version: 1
        campaigns:
          - {id: c, starts: "2026-12-01T10:00:00"}
    """)
    assert errors[0].startswith("campaigns.yaml:4:") and "campaigns[0].starts" in errors[0]


def test_wrong_values_in_conditions_windows_and_badges_are_all_reported() -> None:
    errors = errors_of("""
        version: 1
        campaigns:
          - id: c
            rules:
              - {id: a, on: share, points: 1, during: {days: [fry], hours: "25:00-02:00"}}
              - {id: a, on: share, points: 1, if: {followers: {min: ten}}}
            leaderboards:
              - {id: weekly, period: fortnight}
            badges:
              - {id: b, name: B, count: 0}
              - {id: s, name: S, streak: 3, rank: 1}
    """)
    text = "\n".join(errors)
    assert "rules[0].during.days[0]: unknown day 'fry'" in text
    assert "rules[0].during.hours" in text
    assert "rules[1].id: duplicate rule id 'a'" in text
    assert "rules[1].if.followers.min: 'ten' is not a number" in text
    assert "leaderboards[0].period: unknown period 'fortnight'" in text
    assert "badges[0].count: 0 is too small" in text
    assert "badges[1].rank: 'rank' does not go with 'streak'" in text
    assert errors == sorted(errors, key=lambda e: int(e.split(":")[1]))


def test_during_and_caps_are_read_into_the_model() -> None:
    cs = campaigns("""
        version: 1
        campaigns:
          - id: c
            rules:
              - id: r
                on: [retweet, quote]
                points: {per: amount, rate: 1.5}
                max: {points: 200, per: week}
                during: {days: [fri], hours: "22:00-02:00"}
    """)
    rule = cs.campaigns[0].rules[0]
    assert rule.during.days == frozenset({4}) and (rule.during.start_minute, rule.during.end_minute) == (
        1320,
        120,
    )
    assert rule.cap.points == 200 and rule.cap.per == "week" and rule.cap.count is None
    assert str(rule.points.rate) == "1.5" and rule.points.attr == "amount"


def test_a_list_inside_on_is_an_error_not_a_crash() -> None:
    # found by tests/engine/rules/test_loader_fuzz.py: `on: [[retweet]]` once raised TypeError
    text = "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: [[retweet]], points: 1}\n"
    result, errors = load_campaigns_text(text)
    assert result is None
    assert [str(e) for e in errors] == [
        "campaigns.yaml:5:22: campaigns[0].rules[0].on[0]: a list is not an event type (one of any, "
        "share, retweet, quote, reply, comment, mention, like, profile_linked, quiz_answer, purchase, "
        "checkin, retract)"
    ]


def test_a_reward_keeps_the_partner_that_hands_it_out() -> None:
    loaded = campaigns("""
        version: 1
        rewards:
          - {id: coffee, name: Free coffee, cost: 20, partner: acme-shop}
          - {id: mug, name: Mug, cost: 40}
        campaigns: [{id: c}]
    """)
    assert [(r.id, r.partner) for r in loaded.rewards] == [("coffee", "acme-shop"), ("mug", None)]
    bad = errors_of("""
        version: 1
        rewards: [{id: coffee, name: Free coffee, cost: 20, partner: Acme Shop}]
        campaigns: [{id: c}]
    """)
    assert len(bad) == 1 and "'Acme Shop' is not a valid id" in bad[0]


def test_a_control_character_is_a_positioned_error_not_a_crash() -> None:
    # Found by the web forms fuzzer: ruamel's reader raises before any token is read.
    result, errors = load_campaigns_text("version: 1\ncampaigns: [\x1f]\n")
    assert result is None
    assert [(e.line, e.col, e.problem) for e in errors] == [
        (2, 13, "character #x001f is not allowed in YAML")
    ]
