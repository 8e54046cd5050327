"""The engine under a connector's policy: what an event of an unlinked profile does and does not do."""

from __future__ import annotations

from engine.policy import ScoringPolicy
from engine.processor import Engine
from engine.state import EngineState
from tests.factories import campaigns, make_event

RULES = campaigns(
    """
    version: 1
    timezone: Europe/Berlin
    campaigns:
      - id: derby
        content: {mentions: [club]}
        rules:
          - {id: talk, on: mention, points: 10}
          - {id: undo, on: retract, points: -3}
        badges:
          - {id: first, name: First, on: mention, count: 1}
    """
)


def test_an_unlinked_profile_is_listened_to_and_its_retract_penalises_no_one() -> None:
    state = EngineState()
    engine = Engine(RULES, state, policy=ScoringPolicy(require_link=True))
    about = make_event(type="mention", id="m1", actor="77", mentions=["club"])
    elsewhere = make_event(type="mention", id="m2", actor="77", mentions=["someone"])
    assert [engine.process(e).fan for e in (about, elsewhere)] == ["", ""]
    assert (state.accepted["m1"].campaigns, state.accepted["m2"].campaigns) == (("derby",), ())
    undo = make_event(type="retract", id="r1", at="2026-12-03T11:00:00Z", attrs={"retracts": "m1"})
    assert engine.process(undo).status == "accepted"
    assert state.accepted["m1"].retracted_by == "r1"
    assert (state.ledger, state.fans, state.progress, state.grants) == ([], {}, {}, {})


def test_a_linked_profile_still_earns_and_pays_for_undoing() -> None:
    state = EngineState()
    engine = Engine(RULES, state, policy=ScoringPolicy(require_link=True))
    link = make_event(
        type="profile_linked", id="l1", at="2026-12-01T00:00:00Z", fan="ada", attrs={"profile": "x:77"}
    )
    said = make_event(type="mention", id="m1", actor="77", mentions=["club"])
    undo = make_event(type="retract", id="r1", at="2026-12-03T11:00:00Z", attrs={"retracts": "m1"})
    for event in (link, said, undo):
        engine.process(event)
    assert [(e.fan, e.source, e.points) for e in state.ledger] == [
        ("ada", "rule:talk", 10),
        ("ada", "rule:talk", -10),
        ("ada", "rule:undo", -3),
    ]
