"""Monitoring at scale: scoring, listening aggregation and influencer ranking over stored events.

    .venv/bin/python -m bench.monitoring [--events 1000000] [--authors 50000]   (or: make bench-monitoring)

Generates a reproducible set of stored events straight into a fresh SQLite database
(plain sqlite3 executemany, as a bulk import would): 45 % mentions, replies, quotes and
comments with distinct texts, 35 % retweets, 20 % likes, by Zipf-distributed authors over
60 days in 3 campaigns, none scored yet. Then times, in this process:
  scoring      every text event gets polarity and label (`monitoring.backfill.score_stored`)
  aggregation  `monitoring.aggregate.update` over every event (listening, authors, graph, interests)
  ranking      `monitoring.influencers.rank` + `flag` (features, PageRank, reasons)
  (goal: the three together under 60 s), then the same three steps for 1,000 new events
  (incremental), and as a baseline a plain sqlite3 read of every event's payload.
Each step prints wall seconds and CPU seconds (this process and its worker processes):
on a shared machine the wall time follows the other work running, the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from monitoring.aggregate import update
from monitoring.backfill import score_stored
from monitoring.config import InfluencerConfig
from monitoring.evaluate import fan_posts
from monitoring.influencers import flag, rank
from storage.db import Base, make_engine, make_sessionmaker, transaction

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 60
CAMPAIGNS = ("derby", "autumn", "cup")
TAGS = {"derby": "Derby", "autumn": "AcmeAutumn", "cup": "Pokal"}
GOAL = 60.0
COLUMNS = "id, seq, platform, type, at, fan_id, profile_key, sentiment, sentiment_label, campaigns, "
COLUMNS += "retracted_by, payload, received_at"


def generate(count: int, authors: int, first_seq: int, seed: int) -> list[tuple]:  # type: ignore[type-arg]
    """`count` stored-event rows, reproducible from `seed`."""
    rng = random.Random(seed)
    texts = [p.text for p in fan_posts()]
    weights = [1 / (i + 1) for i in range(authors)]
    people = rng.choices(range(authors), weights=weights, k=count)
    targets = rng.choices(range(min(authors, 2000)), weights=weights[: min(authors, 2000)], k=count)
    rows = []
    for i in range(count):
        seq = first_seq + i
        who = people[i]
        campaign = CAMPAIGNS[seq % 3]
        at = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        kind = rng.choices(
            ("mention", "reply", "quote", "comment", "retweet", "like"), (20, 10, 8, 7, 35, 20)
        )[0]
        actor = {"id": str(who), "handle": f"fan{who}", "followers": int(rng.paretovariate(1.2) * 50)}
        payload = {"id": f"e{seq}", "platform": "x", "type": kind, "at": at.isoformat(), "actor": actor}
        payload["hashtags"] = [TAGS[campaign]]
        if kind != "mention":
            payload["post"] = {"id": f"p{targets[i]}", "author": f"fan{targets[i]}"}
        if kind in ("mention", "reply", "quote", "comment"):
            payload["text"] = f"{rng.choice(texts)} #{TAGS[campaign]} {seq}"
            payload["attrs"] = {
                "public_metrics": {"like_count": rng.randrange(20), "retweet_count": rng.randrange(5)}
            }
        elif kind == "retweet":
            payload["text"] = f"RT @fan{targets[i]}: {texts[targets[i] % len(texts)]}"
        rows.append(
            (
                f"e{seq}",
                seq,
                "x",
                kind,
                at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                None,
                f"x:{who}",
                None,
                None,
                json.dumps([campaign]),
                None,
                json.dumps(payload, ensure_ascii=False),
                "2026-12-01 00:00:00.000000",
            )
        )
    return rows


def insert(path: Path, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    """Bulk insert with plain sqlite3."""
    conn = sqlite3.connect(path)
    conn.executemany(f"INSERT INTO events ({COLUMNS}) VALUES ({', '.join('?' * 13)})", rows)
    conn.commit()
    conn.close()


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    """Run fn, print and return its seconds."""
    started, cpu = time.perf_counter(), cpu_seconds()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<12} {seconds:8.2f} s  (cpu {cpu_seconds() - cpu:7.2f} s)   {result}")
    return seconds


def pipeline(sessions, today: date) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Score, aggregate, rank: seconds of each (each its own transaction)."""
    config = InfluencerConfig()

    def scoring() -> str:
        with transaction(sessions) as session:
            return f"{score_stored(session)} scored"

    def aggregation() -> str:
        with transaction(sessions) as session:
            report = update(session, BERLIN)
        return f"{report.events} events read"

    def ranking() -> str:
        with transaction(sessions) as session:
            ranked = rank(session, today, config, frozenset())
            flagged = flag(session, ranked, config, datetime.now(UTC))
        return f"{len(ranked)} authors ranked, {len(flagged)} flagged"

    return timed("scoring", scoring), timed("aggregation", aggregation), timed("ranking", ranking)


def main(argv: list[str] | None = None) -> None:
    """Print the seconds of each step, the total against the goal, and the incremental update."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--authors", type=int, default=50_000)
    args = parser.parse_args(argv)
    import storage.models  # noqa: F401  registers every table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        sessions = make_sessionmaker(engine)
        started = time.perf_counter()
        insert(path, generate(args.events, args.authors, 1, seed=1))
        print(f"{args.events:,} events generated and stored in {time.perf_counter() - started:.1f} s")
        today = (START + timedelta(days=DAYS - 1)).date()
        started, cpu = time.perf_counter(), cpu_seconds()
        conn = sqlite3.connect(path)
        read = sum(len(json.loads(p)) for (p,) in conn.execute("SELECT payload FROM events"))
        conn.close()
        baseline = time.perf_counter() - started
        print(
            f"  {'baseline':<12} {baseline:8.2f} s  (cpu {cpu_seconds() - cpu:7.2f} s)"
            f"   plain sqlite3 read + json of every payload ({read} keys)"
        )
        cpu = cpu_seconds()
        full = sum(pipeline(sessions, today))
        verdict = "met" if full < GOAL else "MISSED"
        spent = cpu_seconds() - cpu
        print(f"all {args.events:,}: {full:.2f} s, cpu {spent:.2f} s (goal < {GOAL:.0f} s: {verdict})")
        print(f"ratio to the plain read: {full / baseline:.1f}")
        insert(path, generate(1000, args.authors, args.events + 1, seed=2))
        incremental = sum(pipeline(sessions, today))
        print(f"1,000 new events: {incremental:.2f} s ({incremental / full:.1%} of the full run)")
        engine.dispose()


if __name__ == "__main__":
    main()
