"""EngineState: what it keeps depends on what its caller knows of the input."""

from __future__ import annotations

from engine.processor import Engine
from engine.state import EngineState
from tests.factories import campaigns, make_event, simulate

CAMPAIGN = """
version: 1
campaigns:
  - id: c
    name: C
    rules:
      - {id: rt, on: retweet, points: 10}
"""


def test_a_state_keeps_seen_ids_and_ignores_an_id_twice() -> None:
    engine = Engine(campaigns(CAMPAIGN), EngineState())
    first, again = make_event(id="e1"), make_event(id="e1")
    assert engine.process(first).status == "accepted"
    assert engine.process(again).status == "duplicate"
    assert engine.state.fans["x:11"].points == 10
    assert "e1" in engine.state.seen


def test_a_state_for_unique_ids_keeps_no_seen_ids() -> None:
    engine = Engine(campaigns(CAMPAIGN), EngineState(unique_ids=True))
    assert engine.process(make_event(id="e1")).status == "accepted"
    assert engine.process(make_event(id="e2")).status == "accepted"
    assert "e1" not in engine.state.seen
    assert engine.state.fans["x:11"].points == 20


def test_simulate_still_counts_a_repeated_id_once() -> None:
    events = [{**make_event(id="e1").to_dict()}, {**make_event(id="e1").to_dict()}]
    result = simulate(CAMPAIGN, events)
    assert result["fans"]["x:11"]["points"] == 10
