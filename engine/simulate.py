"""`simulate`: what campaigns would award for a file of events, in memory, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.gc_pause import gc_paused
from engine.leaderboards.boards import board_name, standings
from engine.processor import Engine, Scorer
from engine.reading import read_ordered
from engine.rules.model import CampaignSet
from engine.state import EngineState


@dataclass(frozen=True, slots=True)
class Simulation:
    """The finished in-memory run: its state and the lines it rejected."""

    campaigns: CampaignSet
    state: EngineState
    rejected: list[tuple[int, str]]


def run(
    campaigns: CampaignSet,
    lines: Iterable[str],
    now: datetime,
    scorer: Scorer | None = None,
    *,
    keep_ledger: bool = True,
) -> Simulation:
    """Parse, keep the first line of each id, process in `at` order (ties by id), close periods."""
    with gc_paused(age=True):
        ordered = read_ordered(lines)
        rejected = [(bad.line or 0, bad.error) for bad in ordered.rejected]
        # Nothing is flushed, only the events some retract names can ever be undone, and
        # read_ordered kept one line per id: no id can come twice.
        state = EngineState(
            keep_ledger=keep_ledger,
            track_changes=False,
            retract_targets=ordered.retract_targets,
            unique_ids=True,
        )
        engine = Engine(campaigns, state, scorer)
        for line, event in ordered.drain():
            outcome = engine.process(event)
            if outcome.status == "rejected":
                rejected.append((line, outcome.error))
        engine.close_periods(now)
    return Simulation(campaigns, state, sorted(rejected))


def report(sim: Simulation, *, ledger: bool = False) -> dict[str, Any]:
    """The JSON document the spec defines for `simulate --json`."""
    out: dict[str, Any] = {
        "fans": _fans(sim.state),
        "leaderboards": _boards(sim.state),
        "rejected": [{"line": line, "error": error} for line, error in sim.rejected],
    }
    if ledger:
        out["ledger"] = [entry.as_json() for entry in sim.state.ledger]
    return out


def _fans(state: EngineState) -> dict[str, Any]:
    fans = {}
    for fan_id, fan in state.fans.items():
        campaigns = {}
        for campaign_id, points in fan.campaigns.items():
            grants = sorted(state.grants_of(fan_id, campaign_id).values(), key=lambda g: (g.at, g.seq))
            campaigns[campaign_id] = {"points": points, "badges": [g.badge for g in grants]}
        balance = max(0, fan.points - fan.spent)
        fans[fan_id] = {"points": fan.points, "balance": balance, "level": fan.level, "campaigns": campaigns}
    return fans


def _boards(state: EngineState) -> dict[str, Any]:
    boards = {}
    for (name, period), scores in sorted(state.scores.items()):
        rows = standings(scores.items())
        if rows:
            campaign_id, _, board_id = name.partition("/")
            boards[board_name(campaign_id, board_id, period)] = [
                {"rank": r.rank, "fan": r.fan, "points": r.points} for r in rows
            ]
    return boards
