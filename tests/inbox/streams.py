"""Reproducible busy event streams for the `ORDERED` campaigns of tests/engine/test_properties.py:
capped shares, purchases, challenge answers, profiles linked and unlinked, retractions."""

from __future__ import annotations

import random
from datetime import timedelta

from tests.engine.test_properties import START


def busy_stream(count: int, *, fans: int, seed: int, days: int = 20) -> list[dict]:
    """`count` events by `fans` fans over `days` days, in no particular order."""
    rng = random.Random(seed)
    events: list[dict] = []
    for n in range(count):
        at = START + timedelta(seconds=rng.randrange(days * 86400))
        who = rng.randrange(fans)
        event = {"id": f"e{n}", "platform": "x", "at": at.isoformat().replace("+00:00", "Z")}
        roll = rng.random()
        if roll < 0.55:
            event |= {"type": rng.choice(["share", "retweet"]), "actor": {"id": str(who)}}
            event["post"] = {"id": "p1", "author": "club"}
        elif roll < 0.75:
            event |= {"type": "purchase", "platform": "partner", "fan": f"fan{who}"}
            event["attrs"] = {"amount": rng.choice(["4.50", "12", "19.99"])}
        elif roll < 0.82:
            event |= {"type": "quiz_answer", "platform": "web", "fan": f"fan{who}"}
            event["attrs"] = {"challenge": "q", "answer": rng.choice(["yes", "Yes", "no"])}
        elif roll < 0.90:
            event |= {"type": "profile_linked", "platform": "web", "fan": f"fan{who}"}
            event["attrs"] = {"profile": f"x:{rng.randrange(fans)}"}
        else:
            event |= {"type": "retract", "attrs": {"retracts": f"e{rng.randrange(max(1, n))}"}}
        events.append(event)
    return events
