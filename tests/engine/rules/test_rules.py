"""Each rule feature on its own, with numbers checked by hand."""

from __future__ import annotations

from tests.factories import event_dict as ev
from tests.factories import points, simulate

BASE = """
version: 1
timezone: Europe/Berlin
campaigns:
  - id: c
    starts: 2026-12-01
    ends: 2026-12-31
{extra}
    rules:
{rules}
"""


def yaml(rules: str, extra: str = "") -> str:
    indent = lambda text, n: "\n".join(" " * n + line for line in text.strip().splitlines())  # noqa: E731
    return BASE.format(rules=indent(rules, 6), extra=indent(extra, 4) if extra else "")


def test_campaign_window_includes_both_bounds_in_its_timezone() -> None:
    rules = "- {id: r, on: retweet, points: 1}"
    events = [
        ev(at="2026-11-30T22:59:59Z"),  # 23:59:59 Berlin on 30 Nov: before
        ev(at="2026-11-30T23:00:00Z"),  # 00:00 Berlin on 1 Dec: first instant
        ev(at="2026-12-31T22:59:59Z"),  # 23:59:59 Berlin on 31 Dec: last second
        ev(at="2026-12-31T23:00:00Z"),  # 1 Jan in Berlin: after
    ]
    assert points(simulate(yaml(rules), events), "x:11") == 2


def test_content_matches_hashtags_mentions_links_and_posts() -> None:
    extra = """
content:
  hashtags: [Derby]
  mentions: ["@Club"]
  links: [club.de/derby]
  posts: ["x:777"]
"""
    rules = "- {id: r, on: any, points: 1}"
    events = [
        ev(type="mention", hashtags=["DERBY"]),  # case-insensitive hashtag
        ev(type="mention", mentions=["club"]),  # leading @ ignored
        ev(type="mention", links=["https://club.de/derby/tickets"]),  # substring of an expanded link
        ev(type="mention", links=["https://CLUB.de/derby"]),  # links are case-sensitive: no match
        ev(type="retweet", post={"id": "777", "author": "club"}),  # a retweet of a listed post
        ev(type="like", post={"id": "777", "author": "club"}),  # a like never matches a post
        ev(type="retweet"),  # unrelated content
        ev(type="purchase", fan="f1", attrs={"amount": "5"}),  # content-less type: member by time alone
    ]
    result = simulate(yaml(rules, extra), events)
    assert points(result, "x:11") == 4
    assert points(result, "f1") == 1


def test_on_any_and_a_list_of_types() -> None:
    rules = """
- {id: all, on: any, points: 1}
- {id: shares, on: [share, quote], points: 10}
"""
    events = [ev(type="share"), ev(type="quote"), ev(type="mention"), ev(type="like")]
    assert points(simulate(yaml(rules), events), "x:11") == 24


def test_if_conditions_all_must_hold_and_missing_values_fail() -> None:
    rules = """
- {id: big, on: retweet, if: {followers: {min: 10000}}, points: 10}
- {id: store, on: purchase, if: {amount: {min: 10}, partner: [shop-a, shop-b]}, points: 3}
- {id: exact, on: purchase, if: {amount: 10}, points: 100}
- {id: words, on: mention, if: {text: {contains: [ole, "GOAL"]}, platform: x}, points: 7}
"""
    events = [
        ev(actor="1", type="retweet"),  # no followers reported: fails
        ev(type="retweet", actor={"id": "2", "followers": 10000}),
        ev(type="purchase", fan="a", attrs={"amount": "10.00", "partner": "shop-a"}),  # "10.00" equals 10
        ev(type="purchase", fan="b", attrs={"amount": "9.99", "partner": "shop-a"}),
        ev(type="purchase", fan="c", attrs={"amount": "50", "partner": "shop-z"}),
        ev(type="mention", actor="3", text="What a goal!"),
        ev(type="mention", actor="4", text="boring"),
    ]
    result = simulate(yaml(rules), events)
    assert [points(result, f) for f in ("x:1", "x:2", "a", "b", "c", "x:3", "x:4")] == [
        0,
        10,
        103,
        0,
        0,
        7,
        0,
    ]


def test_sentiment_condition_reads_the_polarity_on_the_event() -> None:
    rules = "- {id: happy, on: mention, if: {sentiment: {min: 0.1}}, points: 5}"
    events = [ev(type="mention", actor="1", sentiment=0.5), ev(type="mention", actor="2", sentiment=-0.3)]
    result = simulate(yaml(rules), events)
    assert (points(result, "x:1"), points(result, "x:2")) == (5, 0)


def test_during_days_and_hours_wrap_midnight_in_local_time() -> None:
    rules = '- {id: night, on: retweet, during: {days: [fri], hours: "22:00-02:00"}, points: 1}'
    events = [
        ev(at="2026-12-04T21:30:00Z"),  # Fri 22:30 Berlin: in
        ev(at="2026-12-03T23:30:00Z"),  # Fri 00:30 Berlin: in (Friday, before 02:00)
        ev(at="2026-12-04T23:30:00Z"),  # Sat 00:30 Berlin: Saturday is not listed
        ev(at="2026-12-04T01:00:00Z"),  # Fri 02:00 Berlin: end is exclusive
        ev(at="2026-12-04T12:00:00Z"),  # Fri noon: outside the hours
    ]
    assert points(simulate(yaml(rules), events), "x:11") == 2


def test_points_per_attribute_round_down_and_skip_missing_values() -> None:
    rules = "- {id: spend, on: purchase, points: {per: amount, rate: 1.5}}"
    events = [
        ev(type="purchase", fan="a", attrs={"amount": "10.99"}),  # 16.485 -> 16
        ev(type="purchase", fan="a", attrs={"amount": "abc"}),  # not a number: no entry
        ev(type="purchase", fan="a", attrs={}),  # missing: no entry
    ]
    result = simulate(yaml(rules), events)
    assert points(result, "a") == 16
    assert len([e for e in result["ledger"] if e["fan"] == "a"]) == 1


def test_count_cap_per_day_in_the_campaign_timezone_records_capped_events() -> None:
    rules = "- {id: r, on: retweet, points: 10, max: {count: 2, per: day}}"
    events = [
        ev(at="2026-12-03T09:00:00Z"),
        ev(at="2026-12-03T10:00:00Z"),
        ev(at="2026-12-03T22:30:00Z"),  # 23:30 Berlin, still 3 Dec: capped
        ev(at="2026-12-03T23:30:00Z"),  # 00:30 Berlin on 4 Dec: a new day
    ]
    result = simulate(yaml(rules), events)
    assert points(result, "x:11") == 30
    assert [e["note"] for e in result["ledger"]] == ["", "", "capped", ""]
    assert [e["points"] for e in result["ledger"]] == [10, 10, 0, 10]


def test_points_cap_cuts_the_award_that_would_pass_it() -> None:
    rules = "- {id: spend, on: purchase, points: {per: amount, rate: 1}, max: {points: 50, per: week}}"
    events = [
        ev(type="purchase", fan="a", at="2026-12-07T10:00:00Z", attrs={"amount": "29"}),  # Monday
        ev(type="purchase", fan="a", at="2026-12-08T10:00:00Z", attrs={"amount": "30"}),  # cut to 21
        ev(type="purchase", fan="a", at="2026-12-09T10:00:00Z", attrs={"amount": "5"}),  # capped
        ev(type="purchase", fan="a", at="2026-12-14T10:00:00Z", attrs={"amount": "5"}),  # next ISO week
    ]
    result = simulate(yaml(rules), events)
    assert [(e["points"], e["note"]) for e in result["ledger"]] == [
        (29, ""),
        (21, "cut to 21 by cap"),
        (0, "capped"),
        (5, ""),
    ]


def test_boosts_multiply_together_and_round_down_after() -> None:
    rules = "- {id: r, on: retweet, points: 5}"
    extra = """
boosts:
  - {factor: 1.5, starts: 2026-12-05, ends: 2026-12-06}
  - {factor: 2, during: {days: [sat]}}
  - {factor: 3, if: {followers: {min: 100}}}
"""
    events = [
        ev(at="2026-12-04T10:00:00Z"),  # Friday: 5
        ev(at="2026-12-05T10:00:00Z"),  # Saturday: 5 * 1.5 * 2 = 15
        ev(at="2026-12-06T10:00:00Z"),  # Sunday: 5 * 1.5 = 7.5 -> 7
        ev(at="2026-12-07T10:00:00Z", actor={"id": "11", "followers": 500}),  # 5 * 3 = 15
    ]
    assert [e["points"] for e in simulate(yaml(rules, extra), events)["ledger"]] == [5, 15, 7, 15]


def test_a_boosted_award_is_capped_after_boosting() -> None:
    rules = "- {id: r, on: retweet, points: 10, max: {points: 25, per: day}}"
    extra = "boosts:\n  - {factor: 2}"
    events = [ev(at="2026-12-05T10:00:00Z"), ev(at="2026-12-05T11:00:00Z")]
    result = simulate(yaml(rules, extra), events)
    assert [(e["points"], e["note"]) for e in result["ledger"]] == [(20, ""), (5, "cut to 5 by cap")]


def test_retraction_reverses_on_its_own_date_and_frees_the_cap() -> None:
    rules = "- {id: r, on: retweet, points: 10, max: {count: 1, per: day}}"
    extra = "leaderboards:\n  - {id: daily, period: day}"
    events = [
        ev(id="a", at="2026-12-03T09:00:00Z"),
        ev(id="u", type="retract", at="2026-12-03T10:00:00Z", attrs={"retracts": "a"}),
        ev(id="b", at="2026-12-03T11:00:00Z"),  # the freed slot: 10
        ev(id="u2", type="retract", at="2026-12-04T09:00:00Z", attrs={"retracts": "b"}),
        ev(id="u3", type="retract", at="2026-12-04T10:00:00Z", attrs={"retracts": "b"}),  # twice: nothing
    ]
    result = simulate(yaml(rules, extra), events)
    assert points(result, "x:11") == 0
    assert [(e["event"], e["points"], e["note"]) for e in result["ledger"]] == [
        ("a", 10, ""),
        ("u", -10, "retracted"),
        ("b", 10, ""),
        ("u2", -10, "retracted"),
    ]
    # the board of 3 Dec keeps b's 10; the board of 4 Dec has nobody positive and is left out
    assert result["leaderboards"] == {"c/daily/2026-12-03": [{"rank": 1, "fan": "x:11", "points": 10}]}


def test_retracting_the_unknown_or_a_retract_is_rejected() -> None:
    rules = "- {id: r, on: retweet, points: 10}"
    events = [
        ev(id="a", at="2026-12-03T09:00:00Z"),
        ev(id="u", type="retract", at="2026-12-03T10:00:00Z", attrs={"retracts": "a"}),
        ev(id="v", type="retract", at="2026-12-03T11:00:00Z", attrs={"retracts": "u"}),
        ev(id="w", type="retract", at="2026-12-03T12:00:00Z", attrs={"retracts": "nope"}),
    ]
    rejected = simulate(yaml(rules), events)["rejected"]
    assert [r["line"] for r in rejected] == [3, 4]
    assert "cannot be retracted" in rejected[0]["error"] and "unknown event 'nope'" in rejected[1]["error"]


def test_duplicates_are_ignored_and_the_first_line_wins() -> None:
    rules = "- {id: r, on: purchase, points: {per: amount, rate: 1}}"
    events = [
        ev(id="p", type="purchase", fan="a", attrs={"amount": "7"}),
        ev(id="p", type="purchase", fan="a", attrs={"amount": "70"}),
    ]
    assert points(simulate(yaml(rules), events), "a") == 7


def test_a_late_event_counts_in_its_own_period_and_takes_nothing_back() -> None:
    rules = "- {id: r, on: retweet, points: 10, max: {count: 1, per: day}}"
    extra = "leaderboards:\n  - {id: daily, period: day}"
    late = ev(id="late", at="2026-12-03T08:00:00Z")
    from engine.processor import Engine
    from engine.state import EngineState
    from tests.factories import campaigns, make_event

    cs = campaigns(yaml(rules, extra))
    state = EngineState()
    engine = Engine(cs, state)
    engine.process(make_event(id="d4", at="2026-12-04T09:00:00Z"))
    engine.process(make_event(id="d3", at="2026-12-03T09:00:00Z"))
    engine.process(make_event(**late))  # arrives last, belongs to 3 Dec: capped there
    assert [(e.event_id, e.points, e.note) for e in state.ledger] == [
        ("d4", 10, ""),
        ("d3", 10, ""),
        ("late", 0, "capped"),
    ]
    assert state.scores[("c/daily", "2026-12-03")]["x:11"].points == 10


def test_profile_links_count_from_their_time_and_a_retracted_link_unlinks() -> None:
    rules = "- {id: r, on: retweet, points: 10}"
    events = [
        ev(id="before", at="2026-12-03T09:00:00Z"),
        ev(
            id="link",
            type="profile_linked",
            platform="web",
            fan="anna",
            at="2026-12-04T09:00:00Z",
            attrs={"profile": "x:11"},
        ),
        ev(id="during", at="2026-12-05T09:00:00Z"),
        ev(id="unlink", type="retract", at="2026-12-06T09:00:00Z", attrs={"retracts": "link"}),
        ev(id="after", at="2026-12-07T09:00:00Z"),
    ]
    result = simulate(yaml(rules), events)
    assert (points(result, "x:11"), points(result, "anna")) == (20, 10)


def test_challenge_answers_ignore_case_accents_and_space_and_only_the_first_winners_score() -> None:
    extra = """
challenges:
  - {id: q, question: Who?, answers: [Müller], points: 30, winners: 2, opens: 2026-12-02, closes: 2026-12-02}
"""
    rules = "- {id: r, on: retweet, points: 1}"

    def answer(fan: str, at: str, text: str) -> dict:
        return ev(
            type="quiz_answer", platform="web", fan=fan, at=at, attrs={"challenge": "q", "answer": text}
        )

    events = [
        answer("a", "2026-12-01T12:00:00Z", "muller"),  # not open yet
        answer("a", "2026-12-02T12:00:00Z", "mueller"),  # wrong
        answer("a", "2026-12-02T12:01:00Z", "  MÜLLER "),  # first winner
        answer("a", "2026-12-02T12:02:00Z", "Muller"),  # already answered correctly
        answer("b", "2026-12-02T12:03:00Z", "muller"),  # second winner
        answer("c", "2026-12-02T12:04:00Z", "muller"),  # places taken
        answer("d", "2026-12-02T23:30:00Z", "muller"),  # 00:30 Berlin on 3 Dec: closed
    ]
    result = simulate(yaml(rules, extra), events)
    assert [(e["fan"], e["points"], e["note"]) for e in result["ledger"]] == [
        ("a", 0, "challenge not open yet"),
        ("a", 0, "wrong answer"),
        ("a", 30, ""),
        ("a", 0, "already answered correctly"),
        ("b", 30, ""),
        ("c", 0, "all 2 winners already found"),
        ("d", 0, "challenge closed"),
    ]
    assert all(e["challenge"] == "q" for e in result["ledger"])


def test_levels_follow_lifetime_points_and_reversals_can_lower_them() -> None:
    text = yaml("- {id: r, on: retweet, points: 10}").replace(
        "timezone: Europe/Berlin",
        "timezone: Europe/Berlin\nlevels:\n  - {name: Fan, points: 10}\n  - {name: Star, points: 20}",
    )
    events = [ev(id="a"), ev(id="b", at="2026-12-03T11:00:00Z")]
    assert simulate(text, events)["fans"]["x:11"]["level"] == "Star"
    events.append(ev(id="u", type="retract", at="2026-12-03T12:00:00Z", attrs={"retracts": "b"}))
    assert simulate(text, events)["fans"]["x:11"]["level"] == "Fan"
    assert simulate(text, [ev(type="mention")])["fans"]["x:11"]["level"] is None


def test_every_ledger_entry_names_campaign_rule_and_event() -> None:
    rules = "- {id: share, on: retweet, points: 10}\n- {id: any, on: any, points: 1}"
    entries = simulate(yaml(rules), [ev(id="e1")])["ledger"]
    assert [(e["event"], e["campaign"], e["rule"], e["points"]) for e in entries] == [
        ("e1", "c", "share", 10),
        ("e1", "c", "any", 1),
    ]
