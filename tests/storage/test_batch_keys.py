"""The keys a batch can touch, worked out from its events' times in each campaign's timezone."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.plan import Plan
from engine.state import Accepted, Entry, Link
from storage.batch_keys import batch_keys
from tests.factories import campaigns, make_event

CAMPAIGNS = campaigns("""
    version: 1
    timezone: Europe/Berlin
    campaigns:
      - id: c
        content: {hashtags: [derby]}
        rules:
          - {id: share, on: retweet, points: 10, max: {count: 2, per: day}}
          - {id: talk, on: mention, points: 1}
        badges:
          - {id: three, name: Three, on: retweet, count: 3}
        leaderboards:
          - {id: all-time}
          - {id: weekly, period: week}
      - id: d
        timezone: America/New_York
        rules:
          - {id: share, on: retweet, points: 5, max: {count: 1, per: week}}
        leaderboards:
          - {id: daily, period: day}
""")
PLAN = Plan(CAMPAIGNS)


def test_an_event_names_the_periods_of_its_local_time_in_each_campaign_it_belongs_to() -> None:
    # Sunday Dec 6, 23:30 UTC: Monday 00:30 in Berlin, Sunday 18:30 in New York
    event = make_event(id="r", at="2026-12-06T23:30:00Z", hashtags=["Derby"])
    keys = batch_keys(PLAN, [event], {}, {})
    assert keys.caps == {"c/share/x:11/2026-12-07", "d/share/x:11/2026-11-30"}
    assert keys.scores == {
        ("c/all-time", ""): {"x:11"},
        ("c/weekly", "2026-12-07"): {"x:11"},
        ("d/daily", "2026-12-06"): {"x:11"},
    }
    assert keys.progress == {("c", "three"): {"x:11"}}
    assert keys.challenges == set()


def test_an_event_outside_a_campaigns_content_names_none_of_its_rows() -> None:
    keys = batch_keys(PLAN, [make_event(id="r", at="2026-12-06T12:00:00Z")], {}, {})
    assert keys.caps == {"d/share/x:11/2026-11-30"}  # the week from Monday Nov 30
    assert set(keys.scores) == {("d/daily", "2026-12-06")}
    assert keys.progress == {}


def test_a_linked_profiles_event_names_only_the_rows_of_the_fan_its_stored_links_give() -> None:
    event = make_event(id="m", type="mention", at="2026-12-01T10:00:00Z", hashtags=["derby"])
    before = make_event(id="b", type="mention", at="2026-10-20T10:00:00Z", hashtags=["derby"])
    links = {"x:11": [Link("anna", datetime(2026, 11, 1, tzinfo=UTC), "l1")]}
    keys = batch_keys(PLAN, [event, before], links, {})
    assert keys.scores[("c/weekly", "2026-11-30")] == {"anna"}
    assert keys.scores[("c/weekly", "2026-10-19")] == {"x:11"}  # before the link: the profile's own
    assert keys.caps == set()  # talk has no cap; d does not award mentions


def test_a_profile_the_batch_links_names_the_rows_of_every_fan_it_can_count_for() -> None:
    event = make_event(id="m", type="mention", at="2026-12-01T10:00:00Z", hashtags=["derby"])
    link = make_event(
        id="l2", type="profile_linked", at="2026-12-01T09:00:00Z", fan="ben", attrs={"profile": "x:11"}
    )
    links = {"x:11": [Link("anna", datetime(2026, 11, 1, tzinfo=UTC), "l1")]}
    keys = batch_keys(PLAN, [link, event], links, {})
    assert keys.scores[("c/weekly", "2026-11-30")] == {"x:11", "anna", "ben"}


def test_a_profile_the_batch_unlinks_names_the_rows_of_every_fan_it_can_count_for() -> None:
    event = make_event(id="m", type="mention", at="2026-12-01T10:00:00Z", hashtags=["derby"])
    unlink = make_event(id="u", type="retract", at="2026-12-01T09:00:00Z", attrs={"retracts": "l1"})
    linked_at = datetime(2026, 11, 1, tzinfo=UTC)
    links = {"x:11": [Link("anna", linked_at, "l1")]}
    stored = Accepted("l1", "profile_linked", linked_at, "anna", (), (), profile="x:11")
    keys = batch_keys(PLAN, [unlink, event], links, {"l1": stored})
    assert keys.scores[("c/weekly", "2026-11-30")] == {"x:11", "anna"}


def test_a_retract_names_its_targets_cap_and_the_periods_of_its_own_time() -> None:
    used = Entry(
        7,
        "r",
        "anna",
        "c",
        "rule:share",
        10,
        datetime(2026, 11, 20, 9, tzinfo=UTC),
        cap_key="c/share/anna/2026-11-20",
    )
    target = Accepted("r", "retweet", datetime(2026, 11, 20, 9, tzinfo=UTC), "anna", ("c",), (used,))
    retract = make_event(id="u", type="retract", at="2026-12-01T10:00:00Z", attrs={"retracts": "r"})
    keys = batch_keys(PLAN, [retract], {}, {"r": target})
    assert keys.caps == {"c/share/anna/2026-11-20"}  # no rule answers retracts: no other cap
    assert keys.scores[("c/weekly", "2026-11-30")] == {"anna"}
    assert keys.scores[("d/daily", "2026-12-01")] == {"anna"}
    assert keys.progress == {("c", "three"): {"anna"}}
