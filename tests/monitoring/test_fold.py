"""The bulk fold gives exactly the sums of folding events one by one with `add_event`:
hand-checked on a few rows, and compared on a varied seeded set of driver rows (SQLite's
text values and PostgreSQL's decoded ones, skipped rows, odd payloads)."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitoring.contributions import Delta, add_event, event_row
from monitoring.evaluate import fan_posts
from monitoring.fold import Fold
from tests.monitoring.helpers import BERLIN

D19, D20 = date(2026, 12, 19), date(2026, 12, 20)


def row(
    seq: int,
    kind: str,
    at: str,
    payload: dict[str, Any],
    *,
    campaigns: str = '["derby"]',
    label: str | None = None,
    fan_id: str | None = None,
    profile_key: str | None = None,
    retracted_by: str | None = None,
) -> tuple[Any, ...]:
    """A driver row as SQLite returns `monitoring.aggregate.COLUMNS`."""
    stored = json.dumps(payload)
    return (seq, kind, at, fan_id, profile_key, label, campaigns, retracted_by, stored)


def actor(handle: str, ident: str, followers: int) -> dict[str, Any]:
    return {"id": ident, "handle": handle, "followers": followers}


HAND_ROWS = [
    # 23:30 UTC is 00:30 on the 19th in Berlin; "7" replies is not a whole number: 3 + 2
    row(
        1,
        "mention",
        "2026-12-18 23:30:00.000000",
        {
            "platform": "x",
            "actor": actor("Anna", "1", 10),
            "hashtags": ["#Derby", "derby"],
            "text": "Great derby atmosphere tonight",
            "attrs": {"public_metrics": {"like_count": 3, "retweet_count": 2, "reply_count": "7"}},
        },
        label="positive",
        fan_id="f1",
        profile_key="x:1",
    ),
    row(
        2,
        "retweet",
        "2026-12-19 10:00:00.000000",
        {"platform": "x", "actor": actor("ben", "2", 500), "post": {"id": "p1", "author": "anna"}},
    ),
    # a reply to her own post: a post about two campaigns, no share
    row(
        3,
        "reply",
        "2026-12-19 12:00:00.000000",
        {
            "platform": "x",
            "actor": actor("anna", "1", 12),
            "post": {"id": "p1", "author": "Anna"},
            "text": "Terrible refereeing again",
        },
        campaigns='["derby", "cup"]',
        label="negative",
        profile_key="x:1",
    ),
    row(
        4,
        "like",
        "2026-12-19 13:00:00.000000",
        {"platform": "x", "actor": actor("carl", "3", 9), "post": {"id": "p1", "author": "anna"}},
        retracted_by="e6",
    ),
    row(
        5,
        "mention",
        "2026-12-19 14:00:00.000000",
        {"platform": "x", "actor": actor("dora", "4", 1)},
        campaigns="[]",
    ),
    row(6, "retract", "2026-12-19 15:00:00.000000", {"id": "e6", "attrs": {"retracts": "e4"}}),
    row(
        7,
        "like",
        "2026-12-20 08:00:00.000000",
        {"platform": "x", "actor": actor("ben", "2", 500), "post": {"id": "p1", "author": "anna"}},
        campaigns='["cup"]',
    ),
]


def reference(rows: list[tuple[Any, ...]]) -> Delta:
    """The rows folded one at a time, as `update` counts them (retracted and retractions skipped)."""
    delta = Delta()
    for raw in rows:
        if raw[1] != "retract" and raw[7] is None:
            add_event(delta, event_row(raw), BERLIN, +1)
    return delta


def folded(rows: list[tuple[Any, ...]], parts: int = 1) -> tuple[Delta, list[Any]]:
    """The rows through `Fold`, handed over in `parts` calls."""
    fold, undone = Fold(BERLIN), []
    size = -(-len(rows) // parts)
    for start in range(0, len(rows), size):
        undone += fold.add_rows(rows[start : start + size])
    delta = Delta()
    fold.into(delta)
    return delta, undone


def nonzero(counter: Counter[Any]) -> dict[Any, int]:
    return {k: v for k, v in counter.items() if v}


def same(one: Delta, other: Delta) -> bool:
    return all(
        nonzero(getattr(one, name)) == nonzero(getattr(other, name))
        for name in ("days", "terms", "author_days", "edges", "interests")
    ) and (one.authors == other.authors)


def test_hand_checked_rows() -> None:
    delta, undone = folded(HAND_ROWS)
    assert undone == ["e4"]
    assert nonzero(delta.days) == {
        ("", D19, "mentions"): 2,
        ("", D19, "positive"): 1,
        ("", D19, "negative"): 1,
        ("derby", D19, "mentions"): 2,
        ("derby", D19, "positive"): 1,
        ("derby", D19, "negative"): 1,
        ("cup", D19, "mentions"): 1,
        ("cup", D19, "negative"): 1,
    }
    terms = nonzero(delta.terms)
    assert {k: v for k, v in terms.items() if k[2] == "author"} == {
        ("", D19, "author", "x:anna"): 2,
        ("derby", D19, "author", "x:anna"): 2,
        ("cup", D19, "author", "x:anna"): 1,
    }
    assert {k: v for k, v in terms.items() if k[2] == "hashtag"} == {
        ("", D19, "hashtag", "derby"): 1,
        ("derby", D19, "hashtag", "derby"): 1,
    }
    topics = {(c, t) for c, _, kind, t in terms if kind == "topic"}
    assert topics == {
        *((c, t) for c in ("", "derby") for t in ("derby", "atmosphere", "tonight")),
        *((c, t) for c in ("", "derby", "cup") for t in ("terrible", "refereeing")),
    }
    assert all(v == 1 for k, v in terms.items() if k[2] == "topic")
    assert nonzero(delta.author_days) == {
        ("x:anna", D19, "posts"): 2,
        ("x:anna", D19, "positive"): 1,
        ("x:anna", D19, "negative"): 1,
        ("x:anna", D19, "engagement"): 6,  # 5 from the metrics, 1 for Ben's retweet
        ("x:anna", D19, "shares"): 1,
        ("x:anna", D19, "reach"): 500,
        ("x:anna", D20, "engagement"): 1,  # Ben's like; Carl's was retracted
    }
    assert nonzero(delta.edges) == {("x:ben", "x:anna"): 1}
    assert nonzero(delta.interests) == {
        ("f1", "hashtag", "derby"): 1,
        ("f1", "topic", "derby"): 1,
        ("f1", "topic", "atmosphere"): 1,
        ("f1", "topic", "tonight"): 1,
        ("x:1", "topic", "terrible"): 1,
        ("x:1", "topic", "refereeing"): 1,
    }
    assert delta.authors == {
        "x:anna": {
            "key": "x:anna",
            "handle": "anna",
            "profile_key": "x:1",
            "followers": 12,
            "last_at": datetime(2026, 12, 19, 12, tzinfo=UTC),
        }
    }
    assert same(delta, reference(HAND_ROWS))


KINDS = ("mention", "reply", "quote", "comment", "retweet", "share", "like", "follow", "retract")
HANDLES = ("anna", "Anna", "ben", "cara", "dirk", None)
CAMPAIGNS = ('["derby"]', '["cup"]', '["derby", "cup"]', "[]", "null", None)
LABELS = ("positive", "neutral", "negative", None)
TAGS = (["Derby"], ["#derby", "Derby"], ["Pokal", "#"], [], None)


def varied_rows(count: int, seed: int) -> list[tuple[Any, ...]]:
    """Every kind of row an update meets, including payloads with fields missing."""
    rng = random.Random(seed)
    texts = [p.text for p in fan_posts()]
    start = datetime(2026, 3, 28, 20, tzinfo=UTC)  # Berlin moves its clocks on the 29th
    rows = []
    for seq in range(1, count + 1):
        kind = rng.choice(KINDS)
        at = start + timedelta(minutes=rng.randrange(3 * 24 * 60), microseconds=rng.randrange(2))
        handle = rng.choice(HANDLES)
        payload: dict[str, Any] = {"platform": rng.choice(("x", "facebook"))}
        if rng.random() < 0.95:
            payload["actor"] = {"id": str(rng.randrange(9)), "followers": rng.choice((0, 7, None, 1200))}
            if handle:
                payload["actor"]["handle"] = handle
        if kind == "retract":
            payload["attrs"] = {"retracts": f"e{rng.randrange(1, seq + 1)}"}
        elif rng.random() < 0.4:
            metrics = {"like_count": rng.randrange(5), "quote_count": rng.choice((1, "2", None))}
            payload["attrs"] = {"public_metrics": metrics}
        if rng.random() < 0.8:
            payload["post"] = {"id": "p", "author": rng.choice(HANDLES)}
        if rng.random() < 0.9:
            payload["text"] = rng.choice(texts)
        if (tags := rng.choice(TAGS)) is not None:
            payload["hashtags"] = tags
        campaigns = rng.choice(CAMPAIGNS)
        fan = rng.choice((None, f"fan{rng.randrange(4)}"))
        profile = rng.choice((None, f"x:{rng.randrange(9)}"))
        retracted = "r" if rng.random() < 0.1 else None
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        stored = json.dumps(payload)
        values: tuple[Any, ...] = (stamp, campaigns, stored)
        if rng.random() < 0.3:  # as PostgreSQL's driver returns them: decoded
            values = (at, json.loads(campaigns) if campaigns else None, payload)
        when, scopes, body = values
        rows.append((seq, kind, when, fan, profile, rng.choice(LABELS), scopes, retracted, body))
    return rows


def test_varied_rows_give_the_one_by_one_sums() -> None:
    rows = varied_rows(3000, seed=7)
    delta, undone = folded(rows, parts=7)
    assert same(delta, reference(rows))
    assert len(undone) == sum(1 for r in rows if r[1] == "retract")
    # the set means something: many authors, days either side of the clock change, shares
    assert len(delta.authors) >= 8 and len({d for _, d, _ in delta.days}) == 4
    assert len(nonzero(delta.edges)) > 20 and len(nonzero(delta.interests)) > 100
