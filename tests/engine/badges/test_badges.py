"""Each badge kind on its edges."""

from __future__ import annotations

import json

from tests.factories import event_dict as ev
from tests.factories import simulate

CAMPAIGN = """
version: 1
timezone: Europe/Berlin
campaigns:
  - id: c
    rules:
      - {{id: r, on: any, points: 1}}
    leaderboards:
      - {{id: all-time}}
      - {{id: daily, period: day}}
      - {{id: weekly, period: week}}
    badges:
{badges}
"""


def badges(result: dict, fan: str = "x:11") -> list[str]:
    return result["fans"][fan]["campaigns"]["c"]["badges"]


def run(badge_lines: str, events: list[dict], now: str = "2030-01-01T00:00:00Z") -> dict:
    text = "\n".join("      " + line for line in badge_lines.strip().splitlines())
    return simulate(CAMPAIGN.format(badges=text), events, now=now)


def test_count_is_earned_on_the_nth_event_not_the_one_before() -> None:
    badge = "- {id: five, name: Five, on: [retweet], count: 5}"
    four = [ev(at=f"2026-12-0{d}T10:00:00Z") for d in range(1, 5)]
    assert badges(run(badge, four)) == []
    assert badges(run(badge, [*four, ev(type="mention"), ev(type="like")])) == []  # other types do not count
    assert badges(run(badge, [*four, ev(at="2026-12-05T10:00:00Z")])) == ["five"]


def test_a_retracted_event_no_longer_counts_but_an_earned_badge_stays() -> None:
    badge = "- {id: two, name: Two, on: retweet, count: 2}"
    events = [
        ev(id="a"),
        ev(id="u", type="retract", at="2026-12-03T11:00:00Z", attrs={"retracts": "a"}),
        ev(id="b", at="2026-12-03T12:00:00Z"),
    ]
    assert badges(run(badge, events)) == []
    earned = [
        ev(id="a"),
        ev(id="b", at="2026-12-03T11:00:00Z"),
        ev(id="u", type="retract", at="2026-12-03T12:00:00Z", attrs={"retracts": "a"}),
    ]
    assert badges(run(badge, earned)) == ["two"]


def test_streak_needs_consecutive_local_days_and_a_missed_day_restarts_it() -> None:
    badge = "- {id: three, name: Three, on: any, streak: 3}"
    gap = [
        ev(at="2026-12-01T10:00:00Z"),
        ev(at="2026-12-02T10:00:00Z"),
        ev(at="2026-12-04T10:00:00Z"),
        ev(at="2026-12-05T10:00:00Z"),
    ]
    assert badges(run(badge, gap)) == []
    # 23:30 UTC on 2 Dec is 00:30 on 3 Dec in Berlin: it fills the gap
    assert badges(run(badge, [*gap, ev(at="2026-12-02T23:30:00Z")])) == ["three"]
    # two events on one day are one day
    same_day = [ev(at="2026-12-01T08:00:00Z"), ev(at="2026-12-01T20:00:00Z"), ev(at="2026-12-02T10:00:00Z")]
    assert badges(run(badge, same_day)) == []


def test_count_within_is_a_sliding_window_with_both_ends_included() -> None:
    badge = "- {id: burst, name: Burst, on: retweet, count: 3, within: 24h}"
    exactly = [ev(at="2026-12-01T10:00:00Z"), ev(at="2026-12-01T18:00:00Z"), ev(at="2026-12-02T10:00:00Z")]
    assert badges(run(badge, exactly)) == ["burst"]
    one_second_long = [
        ev(at="2026-12-01T10:00:00Z"),
        ev(at="2026-12-01T18:00:00Z"),
        ev(at="2026-12-02T10:00:01Z"),
    ]
    assert badges(run(badge, one_second_long)) == []
    slides = [*one_second_long, ev(at="2026-12-02T12:00:00Z")]  # 18:00 .. 12:00 next day fits
    assert badges(run(badge, slides)) == ["burst"]


def test_rank_badge_goes_to_every_fan_at_that_rank_when_the_period_closes() -> None:
    badge = "- {id: top, name: Top, leaderboard: daily, rank: 1}"
    events = [
        ev(actor="11", at="2026-12-01T10:00:00Z"),
        ev(actor="12", at="2026-12-01T11:00:00Z"),
        ev(actor="13", at="2026-12-01T12:00:00Z"),
        ev(actor="13", at="2026-12-01T13:00:00Z"),
    ]
    open_day = run(badge, events, now="2026-12-01T22:59:59Z")  # 23:59:59 Berlin: the day is still open
    assert badges(open_day, "x:13") == []
    closed = run(badge, events, now="2026-12-01T23:00:00Z")  # midnight Berlin: closed
    assert badges(closed, "x:13") == ["top"] and badges(closed, "x:11") == []
    tie = run(badge, events[:2], now="2026-12-02T00:00:00Z")
    assert badges(tie, "x:11") == ["top"] and badges(tie, "x:12") == ["top"]


def test_board_periods_follow_berlin_midnight_across_the_dst_change() -> None:
    badge = "- {id: top, name: Top, leaderboard: daily, rank: 1}"
    # clocks go back at 03:00 CEST on Sun 25 Oct 2026: that day lasts 25 hours
    events = [
        ev(actor="11", at="2026-10-24T21:59:59Z"),  # 23:59:59 CEST on 24 Oct
        ev(actor="12", at="2026-10-24T22:00:00Z"),  # 00:00 CEST on 25 Oct
        ev(actor="12", at="2026-10-25T22:59:59Z"),  # 23:59:59 CET on 25 Oct
        ev(actor="13", at="2026-10-25T23:00:00Z"),  # 00:00 CET on 26 Oct
    ]
    result = run(badge, events, now="2026-10-25T22:59:59Z")
    boards = {
        k: [(r["fan"], r["points"]) for r in v] for k, v in result["leaderboards"].items() if "daily" in k
    }
    assert boards == {
        "c/daily/2026-10-24": [("x:11", 1)],
        "c/daily/2026-10-25": [("x:12", 2)],
        "c/daily/2026-10-26": [("x:13", 1)],
    }
    assert badges(result, "x:11") == ["top"] and badges(result, "x:12") == []  # 25 Oct not over yet
    assert badges(run(badge, events, now="2026-10-25T23:00:00Z"), "x:12") == ["top"]


def test_ties_rank_alike_and_list_whoever_reached_the_score_first() -> None:
    badge = "- {id: b, name: B, on: any, count: 100}"
    events = [
        ev(actor="12", at="2026-12-01T09:00:00Z"),
        ev(actor="11", at="2026-12-01T10:00:00Z"),
        ev(actor="13", at="2026-12-01T11:00:00Z"),
        ev(actor="13", at="2026-12-01T12:00:00Z"),
        ev(actor="14", at="2026-12-01T13:00:00Z"),
    ]
    board = run(badge, events)["leaderboards"]["c/all-time"]
    assert [(r["rank"], r["fan"]) for r in board] == [(1, "x:13"), (2, "x:12"), (2, "x:11"), (2, "x:14")]


def test_weeks_start_on_monday_and_are_named_by_that_date() -> None:
    badge = "- {id: b, name: B, on: any, count: 100}"
    events = [ev(at="2026-12-06T22:59:59Z"), ev(at="2026-12-06T23:00:00Z")]  # Sun 23:59:59 / Mon 00:00 Berlin
    boards = run(badge, events)["leaderboards"]
    assert set(boards) >= {"c/weekly/2026-11-30", "c/weekly/2026-12-07"}


def test_badges_are_listed_in_the_order_they_were_earned() -> None:
    lines = """
- {id: second, name: Second, on: any, count: 2}
- {id: first, name: First, on: any, count: 1}
- {id: top, name: Top, leaderboard: daily, rank: 1}
"""
    events = [ev(at="2026-12-01T10:00:00Z"), ev(at="2026-12-03T10:00:00Z")]
    assert badges(run(lines, events)) == ["first", "top", "second"]  # top: when 1 Dec closed


def test_every_kind_module_is_found_by_scanning_the_package() -> None:
    from engine import badges as kinds

    assert set(kinds.KINDS) == {"count", "streak", "within", "rank"}
    assert set(kinds.EVENT_KINDS) == {"count", "streak", "within"}
    assert set(kinds.PERIOD_KINDS) == {"rank"}


def test_a_grant_records_the_event_and_time_that_earned_it_once() -> None:
    from datetime import UTC, datetime

    from engine.simulate import run as run_engine
    from tests.factories import campaigns

    text = CAMPAIGN.format(badges="      - {id: two, name: Two, on: retweet, count: 2}")
    events = [ev(id=f"e{d}", at=f"2026-12-0{d}T10:00:00Z") for d in range(1, 6)]
    sim = run_engine(campaigns(text), [json.dumps(e) for e in events], datetime(2030, 1, 1, tzinfo=UTC))
    grants = sim.state.grants_of("x:11", "c")
    assert list(grants) == ["two"]
    assert (grants["two"].event_id, grants["two"].at) == ("e2", datetime(2026, 12, 2, 10, tzinfo=UTC))
    assert badges(simulate(text, events)) == ["two"]  # three more retweets: still earned once


def test_within_needs_the_nth_event_inside_the_window() -> None:
    badge = "- {id: burst, name: Burst, on: retweet, count: 3, within: 90s}"
    two = [ev(at="2026-12-01T10:00:00Z"), ev(at="2026-12-01T10:01:00Z")]
    assert badges(run(badge, two)) == []
    assert badges(run(badge, [*two, ev(type="mention", at="2026-12-01T10:01:10Z")])) == []
    assert badges(run(badge, [*two, ev(at="2026-12-01T10:01:30Z")])) == ["burst"]
    assert badges(run(badge, [*two, ev(at="2026-12-01T10:01:31Z")])) == []


def test_streak_counts_berlin_calendar_days_across_the_dst_change() -> None:
    badge = "- {id: three, name: Three, on: any, streak: 3}"
    # 24 Oct 23:30 CEST, 25 Oct 23:30 CET (a 25-hour day), 26 Oct 00:30 CET
    days = [ev(at="2026-10-24T21:30:00Z"), ev(at="2026-10-25T22:30:00Z"), ev(at="2026-10-25T23:30:00Z")]
    assert badges(run(badge, days)) == ["three"]
    # 22:30 UTC on 24 Oct is 00:30 CEST on 25 Oct: two events on 25 Oct, no 24th
    shifted = [ev(at="2026-10-24T22:30:00Z"), *days[1:]]
    assert badges(run(badge, shifted)) == []


def test_a_streak_of_n_minus_one_days_then_a_gap_starts_over() -> None:
    badge = "- {id: three, name: Three, on: any, streak: 3}"
    events = [
        ev(at="2026-12-01T10:00:00Z"),
        ev(at="2026-12-02T10:00:00Z"),
        ev(at="2026-12-04T10:00:00Z"),
        ev(at="2026-12-05T10:00:00Z"),
    ]
    assert badges(run(badge, events)) == []
    assert badges(run(badge, [*events, ev(at="2026-12-06T10:00:00Z")])) == ["three"]
