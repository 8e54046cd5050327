"""Builders for tests: events with sensible defaults, campaigns from YAML text."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime
from typing import Any

from engine.events import Event, parse_event
from engine.rules.errors import format_errors
from engine.rules.loader import load_campaigns_text
from engine.rules.model import CampaignSet
from engine.simulate import report, run

_counter = iter(range(1, 10**9))


def event_dict(
    type: str = "retweet", at: str = "2026-12-03T10:00:00Z", actor: str | dict = "11", **extra: Any
) -> dict:
    """A valid event mapping; social types get an actor (an id or a whole mapping) and a post."""
    raw: dict[str, Any] = {
        "id": extra.pop("id", f"e{next(_counter)}"),
        "platform": "x",
        "type": type,
        "at": at,
    }
    if type in {"share", "retweet", "quote", "reply", "comment", "mention", "like"}:
        raw["actor"] = actor if isinstance(actor, dict) else {"id": actor, "handle": f"h{actor}"}
    if type in {"share", "retweet", "quote", "reply", "comment", "like"}:
        raw["post"] = {"id": "900", "author": "club"}
    raw.update(extra)
    return raw


def make_event(**kwargs: Any) -> Event:
    """A parsed event (see `event_dict`)."""
    return parse_event(event_dict(**kwargs))


def campaigns(text: str) -> CampaignSet:
    """Load YAML text that must be valid."""
    loaded, errors = load_campaigns_text(textwrap.dedent(text))
    assert loaded is not None, format_errors(errors)
    return loaded


def simulate(
    campaign_yaml: str | CampaignSet,
    events: list[dict],
    now: str = "2030-01-01T00:00:00Z",
    ledger: bool = True,
) -> dict:
    """Run the engine in memory on event mappings; the spec's JSON result."""
    cs = campaigns(campaign_yaml) if isinstance(campaign_yaml, str) else campaign_yaml
    lines = [json.dumps(e) for e in events]
    return report(run(cs, lines, datetime.fromisoformat(now.replace("Z", "+00:00"))), ledger=ledger)


def points(result: dict, fan: str) -> int:
    """A fan's lifetime points in a simulate result (0 when not listed)."""
    return result["fans"].get(fan, {}).get("points", 0)
