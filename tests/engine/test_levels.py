"""Levels: reached when lifetime points equal the threshold, with the time they were reached."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from engine.simulate import run
from tests.factories import campaigns
from tests.factories import event_dict as ev

TEXT = """
version: 1
levels:
  - {name: Fan, points: 10}
  - {name: Star, points: 30}
campaigns:
  - id: c
    rules:
      - {id: r, on: retweet, points: 10}
"""


def test_a_level_is_reached_at_its_threshold_and_dated_by_the_event_that_reached_it() -> None:
    events = [ev(id=f"e{d}", at=f"2026-12-0{d}T10:00:00Z") for d in range(1, 4)]
    sim = run(campaigns(TEXT), [json.dumps(e) for e in events[:2]], datetime(2030, 1, 1, tzinfo=UTC))
    fan = sim.state.fans["x:11"]
    assert (fan.points, fan.level, fan.level_at) == (20, "Fan", datetime(2026, 12, 1, 10, tzinfo=UTC))
    sim = run(campaigns(TEXT), [json.dumps(e) for e in events], datetime(2030, 1, 1, tzinfo=UTC))
    fan = sim.state.fans["x:11"]
    assert (fan.points, fan.level, fan.level_at) == (30, "Star", datetime(2026, 12, 3, 10, tzinfo=UTC))
