"""The incremental update, read chunk by chunk from driver rows, sums exactly what every
counted event adds: compared on a seeded mixed set against each event folded in one by one
from the ORM's rows (retractions before and after an update, Berlin midnight, metrics)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from monitoring.aggregate import _pivot, update
from monitoring.contributions import Delta, EventRow, add_event
from monitoring.evaluate import fan_posts
from storage.db import transaction
from storage.models.core import StoredEvent
from storage.models.monitoring import AuthorDay, FanInterest, ListeningDay, ListeningTerm, ShareEdge
from storage.state_store import aware
from tests.monitoring.helpers import BERLIN, ingest, post

KINDS = ("mention", "reply", "quote", "comment", "retweet", "like")
PEOPLE = ("anna", "ben", "cara", "dirk", "emil", "club")
TAGS = (("Derby",), ("AcmeAutumn",), ("Derby", "AcmeAutumn"), ("Other",))


def seeded_events(count: int, seed: int, offset: int) -> list[dict[str, Any]]:
    """Mixed events over three days, many around midnight in Berlin (23:00 UTC)."""
    rng = random.Random(seed)
    texts = [p.text for p in fan_posts()]
    events = []
    for i in range(count):
        kind = rng.choice(KINDS)
        hour = rng.choice((21, 22, 23, 0, 1, 12))
        extra: dict[str, Any] = {}
        if rng.random() < 0.5:
            extra["attrs"] = {
                "public_metrics": {"like_count": rng.randrange(9), "reply_count": rng.randrange(3)}
            }
        events.append(
            post(
                kind,
                f"s{seed}-{offset + i}",
                f"2026-12-{17 + rng.randrange(3)}T{hour:02d}:{rng.randrange(60):02d}:00Z",
                rng.choice(PEOPLE),
                text=rng.choice(texts) if kind not in ("retweet", "like") else None,
                tags=rng.choice(TAGS),
                followers=rng.randrange(5000),
                target=rng.choice(PEOPLE),
                **extra,
            )
        )
    return events


def retract(ident: str, of: str) -> dict[str, Any]:
    return {
        "id": ident,
        "platform": "x",
        "type": "retract",
        "at": "2026-12-19T13:00:00Z",
        "attrs": {"retracts": of},
    }


def table(session: Any, model: type, keys: tuple[str, ...], values: tuple[str, ...]) -> dict[Any, Any]:
    """Rows with any non-zero count, key columns -> count columns."""
    found = {}
    for row in session.scalars(select(model)):
        counts = tuple(getattr(row, v) for v in values)
        if any(counts):
            found[tuple(getattr(row, k) for k in keys)] = counts
    return found


def expected(session: Any) -> Delta:
    """Every counted event (not retracted, not a retraction) folded in one at a time from ORM rows."""
    delta = Delta()
    for event in session.scalars(select(StoredEvent).order_by(StoredEvent.seq)):
        if event.type != "retract" and event.retracted_by is None:
            row = EventRow(
                event.seq,
                event.type,
                aware(event.at),  # type: ignore[arg-type]
                event.fan_id,
                event.profile_key,
                event.sentiment_label,
                event.campaigns,
                event.payload,
            )
            add_event(delta, row, BERLIN, +1)
    return delta


def nonzero(counter: Counter[Any]) -> dict[Any, Any]:
    return {k: v for k, v in counter.items() if v}


def test_chunked_incremental_update_equals_event_by_event_sums(db_engine: Engine) -> None:
    first = seeded_events(150, seed=1, offset=0)
    sessions = ingest(db_engine, [*first, retract("r-same", "s1-3")])
    with transaction(sessions) as session:
        assert update(session, BERLIN, chunk=7).events == 151
    second = seeded_events(150, seed=2, offset=150)
    ingest(db_engine, [*second, retract("r-old", "s1-10"), retract("r-old2", "s1-11")])
    with transaction(sessions) as session:
        report = update(session, BERLIN, chunk=11)
    assert (report.events, report.retracted) == (152, 2)
    with sessions() as session:
        delta = expected(session)
        days = _pivot(delta.days, ("mentions", "positive", "neutral", "negative"))
        fields = ("posts", "positive", "negative", "engagement", "shares", "reach")
        author_days = _pivot(delta.author_days, fields)
        assert table(
            session, ListeningDay, ("campaign", "day"), ("mentions", "positive", "neutral", "negative")
        ) == {k: tuple(v.values()) for k, v in days.items()}
        assert table(session, AuthorDay, ("author", "day"), fields) == {
            k: tuple(v.values()) for k, v in author_days.items()
        }
        terms = table(session, ListeningTerm, ("campaign", "day", "kind", "term"), ("count",))
        assert terms == {k: (v,) for k, v in nonzero(delta.terms).items()}
        edges = table(session, ShareEdge, ("source", "target"), ("count",))
        assert edges == {k: (v,) for k, v in nonzero(delta.edges).items()}
        interests = table(session, FanInterest, ("fan_id", "kind", "term"), ("count",))
        assert interests == {k: (v,) for k, v in nonzero(delta.interests).items()}
    # the set is mixed enough to mean something: both campaigns, both sides of midnight, shares
    assert {c for c, _ in days} == {"", "derby", "coffee"}
    assert len({d for _, d in days}) == 4 and len(edges) > 10 and len(terms) > 100


def test_people_outside_the_programme_are_listened_to_but_earn_nothing(db_engine: Engine) -> None:
    """Connectors score linked profiles only; an unlinked profile's post about the brand is still
    about the brand: it counts in listening and in its author's features, and earns no one
    anything, nor does taking it back."""
    from engine.policy import ScoringPolicy
    from monitoring.scoring import default_scorer
    from pipeline import ingest_events
    from storage.db import make_sessionmaker
    from storage.models.core import LedgerEntry
    from tests.monitoring.helpers import CAMPAIGNS, NOW
    from tests.monitoring.helpers import refresh as update_in

    sessions = make_sessionmaker(db_engine)
    day = "2026-12-18T{}:00:00Z".format
    strangers = [
        post("mention", "m1", day(12), "vera", text="Great derby, @club! Love it", followers=48_000),
        post("mention", "m2", day(13), "vera", text="Brilliant win, @club!", tags=(), mentions=["club"]),
        post("mention", "m3", day(14), "vera", text="Lunch time", tags=()),
        post("retweet", "r1", day(15), "otto", followers=900, target="vera"),
    ]
    watched = {"now": NOW, "policy": ScoringPolicy(require_link=True), "scorer": default_scorer()}
    ingest_events(sessions, CAMPAIGNS, strangers, source="x:mentions", **watched)
    ingest_events(sessions, CAMPAIGNS, [retract("t1", "m2")], source="x:deletions", **watched)
    update_in(sessions)
    with sessions() as session:
        stored = {e.id: (e.fan_id, e.campaigns) for e in session.scalars(select(StoredEvent))}
        assert stored == {
            "m1": (None, ["derby"]),
            "m2": (None, ["derby"]),  # @club: the derby campaign's mention
            "m3": (None, []),  # about something else
            "r1": (None, ["derby"]),
            "t1": (None, []),
        }
        assert session.scalar(select(LedgerEntry.id)) is None
        days = table(session, AuthorDay, ("author", "day"), ("posts", "positive", "reach"))
        assert days == {("x:vera", date(2026, 12, 18)): (1, 1, 900)}  # m2 was taken back
        edges = {(e.source, e.target) for e in session.scalars(select(ShareEdge)) if e.count}
        assert edges == {("x:otto", "x:vera")}
        listened = table(session, ListeningDay, ("campaign", "day"), ("mentions",))
        assert listened == {("", date(2026, 12, 18)): (1,), ("derby", date(2026, 12, 18)): (1,)}
