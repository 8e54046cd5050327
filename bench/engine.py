"""Engine throughput: simulate in memory and persisted ingest into SQLite, against a ceiling.

    .venv/bin/python -m bench.engine [--events 1000000] [--fans 100000]   (or: make bench-engine)

Generates a reproducible event file (3 campaigns, 15 rules, badges and boards), then
measures, each in its own process so peak memory is its own:
  simulate   the whole file through the engine in memory (goal >= 100,000 events/s)
  ingest     the same file into a fresh SQLite database (goal >= 20,000 events/s)
  ceiling    plain sqlite3 executemany of as many ledger rows as ingest wrote
and prints events/s, CPU seconds (the machine may be shared), peak RSS, the ratios between
them, and the ingest rate over each fifth of its batches: whether ingest slows down as
the database grows.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CAMPAIGNS = """
version: 1
timezone: Europe/Berlin
levels: [{{name: Bronze, points: 0}}, {{name: Silver, points: 200}}, {{name: Gold, points: 1000}}]
campaigns:
{campaigns}
"""
CAMPAIGN = """
  - id: {cid}
    name: Campaign {cid}
    starts: 2026-11-01
    ends: 2026-12-31
    content: {{hashtags: [{tag}], mentions: [brand]}}
    rules:
      - {{id: share, on: [share, retweet, quote], points: 10, max: {{count: 5, per: day}}}}
      - {{id: reply, on: [reply, comment], points: 5, max: {{count: 10, per: day}}}}
      - {{id: mention, on: mention, if: {{followers: {{min: 100}}}}, points: 3}}
      - {{id: evening, on: [retweet, quote], during: {{days: [sat, sun], hours: "18:00-22:00"}}, points: 5}}
      - id: buy
        on: purchase
        if: {{amount: {{min: 10}}}}
        points: {{per: amount, rate: 1}}
        max: {{points: 200, per: week}}
    boosts:
      - {{factor: 2, during: {{days: [fri], hours: "20:00-22:00"}}}}
    badges:
      - {{id: first, name: First, on: [share, retweet, quote], count: 1}}
      - {{id: ten, name: Ten, on: any, count: 10}}
      - {{id: streak, name: Streak, on: any, streak: 3}}
      - {{id: burst, name: Burst, on: retweet, count: 3, within: 24h}}
      - {{id: champ, name: Champion, leaderboard: weekly, rank: 1}}
    leaderboards:
      - {{id: all-time}}
      - {{id: weekly, period: week}}
"""
BATCH = 20_000  # events per ingest batch (one transaction each)
TYPES = ["retweet", "quote", "reply", "mention", "comment", "share", "like", "purchase"]
WEIGHTS = [30, 10, 12, 20, 8, 6, 10, 4]


def campaigns_yaml() -> str:
    """Three campaigns of five rules each."""
    body = "".join(CAMPAIGN.format(cid=f"c{i}", tag=f"tag{i}") for i in range(3))
    return CAMPAIGNS.format(campaigns=body)


def generate(path: Path, events: int, fans: int, seed: int = 1) -> None:
    """A reproducible JSONL file of `events` events by `fans` fans over November 2026."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    span = 30 * 86400
    times = sorted(rng.randrange(span) for _ in range(events))
    with path.open("w", encoding="utf-8") as out:
        for n, offset in enumerate(times):
            out.write(json.dumps(_event(rng, n, start + timedelta(seconds=offset), fans)) + "\n")


def _event(rng: random.Random, n: int, at: datetime, fans: int) -> dict:
    kind = rng.choices(TYPES, WEIGHTS)[0]
    fan = rng.randrange(fans)
    base = {"id": f"ev{n}", "platform": "x", "type": kind, "at": at.isoformat().replace("+00:00", "Z")}
    if kind == "purchase":
        return base | {
            "platform": "partner",
            "fan": f"fan{fan}",
            "attrs": {"amount": f"{rng.randint(1, 80)}.90"},
        }
    base["actor"] = {"id": str(fan), "handle": f"fan{fan}", "followers": rng.choice([12, 150, 900, 25000])}
    base["hashtags"] = [f"tag{rng.randrange(3)}"]
    if kind != "mention":
        base["post"] = {"id": str(rng.randrange(50)), "author": "brand"}
    if kind in {"quote", "reply", "mention", "comment"}:
        base["text"] = "Great match today #tag"
        base["sentiment"] = 0.4  # pre-scored, as connectors deliver it: this measures the engine
    return base


def peak_rss_mib() -> float:
    """Peak resident memory of this process, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process so far (user + system): on a shared machine, what it really used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class BatchClock(logging.Handler):
    """Notes when each ingest batch is stored (the pipeline logs one line per batch)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.stamps: list[tuple[float, int]] = []  # (when, events in the batch)

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("batch stored"):
            accepted, duplicates, quarantined = record.args[:3]  # type: ignore[index,misc]
            self.stamps.append((time.perf_counter(), accepted + duplicates + quarantined))


def stage_simulate(campaigns: str, events: str) -> dict:
    from engine.rules.loader import load_campaigns
    from engine.simulate import run

    cs, errors = load_campaigns(campaigns)
    assert cs is not None, errors
    started, cpu = time.perf_counter(), cpu_seconds()
    with open(events, encoding="utf-8") as lines:
        sim = run(cs, lines, datetime(2027, 1, 1, tzinfo=UTC), keep_ledger=False)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {"seconds": seconds, "cpu": cpu, "fans": len(sim.state.fans), "rss_mib": peak_rss_mib()}


def stage_ingest(campaigns: str, events: str, db: str) -> dict:
    from sqlalchemy import func, select

    from engine.rules.loader import load_campaigns
    from pipeline import ingest_lines
    from storage.db import make_engine, make_sessionmaker
    from storage.models.core import LedgerEntry
    from storage.schema import ensure_schema

    cs, errors = load_campaigns(campaigns)
    assert cs is not None, errors
    engine = make_engine(f"sqlite:///{db}")
    ensure_schema(engine)
    sessions = make_sessionmaker(engine)
    clock = BatchClock()
    log = logging.getLogger("fanfare.ingest")
    log.addHandler(clock)
    log.setLevel(logging.INFO)
    log.propagate = False  # timing only: nothing printed
    started, cpu = time.perf_counter(), cpu_seconds()
    with open(events, encoding="utf-8") as lines:
        report = ingest_lines(
            sessions, cs, lines, source="bench", now=datetime(2027, 1, 1, tzinfo=UTC), batch=BATCH
        )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    with sessions() as session:
        rows = session.scalar(select(func.count()).select_from(LedgerEntry))
    return {
        "seconds": seconds,
        "cpu": cpu,
        "accepted": report.accepted,
        "ledger_rows": rows,
        "rss_mib": peak_rss_mib(),
        # (seconds, events) of each batch after the first, from one commit to the next
        "batches": [(b - a, n) for (a, _), (b, n) in zip(clock.stamps, clock.stamps[1:], strict=False)],
    }


def stage_ceiling(rows: int, db: str) -> dict:
    """The floor under any ORM: raw sqlite3 executemany of `rows` ledger-shaped rows."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE ledger (seq INTEGER, key TEXT UNIQUE, event_id TEXT, fan_id TEXT, campaign_id TEXT,"
        " source TEXT, points INTEGER, at TEXT, note TEXT)"
    )
    data = (
        (
            i,
            f"ev{i}|c0|rule:share|add",
            f"ev{i}",
            f"x:{i % 100000}",
            "c0",
            "rule:share",
            10,
            "2026-11-01T00:00:00+00:00",
            "",
        )
        for i in range(rows)
    )
    started, cpu = time.perf_counter(), cpu_seconds()
    with conn:
        conn.executemany("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", data)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "rss_mib": peak_rss_mib()}


def _child(stage: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.engine", "--stage", stage, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--fans", type=int, default=100_000)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.stage:
        stages = {"simulate": stage_simulate, "ingest": stage_ingest, "ceiling": stage_ceiling}
        args = [int(a) if a.isdigit() else a for a in opts.args]
        print(json.dumps(stages[opts.stage](*args)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        run_all(Path(tmp), opts.events, opts.fans)


def run_all(tmp: Path, events: int, fans: int) -> None:
    campaigns, data = tmp / "campaigns.yaml", tmp / "events.jsonl"
    campaigns.write_text(campaigns_yaml())
    started = time.perf_counter()
    generate(data, events, fans)
    print(
        f"generated {events:,} events for {fans:,} fans in {time.perf_counter() - started:.1f} s "
        f"({data.stat().st_size / 2**20:.0f} MiB), 3 campaigns, 15 rules"
    )
    sim = _child("simulate", str(campaigns), str(data))
    ing = _child("ingest", str(campaigns), str(data), str(tmp / "ingest.sqlite"))
    ceil = _child("ceiling", str(ing["ledger_rows"]), str(tmp / "ceiling.sqlite"))
    sim_rate, ing_rate = events / sim["seconds"], events / ing["seconds"]
    ceil_rate = ing["ledger_rows"] / ceil["seconds"]
    ing_rows_rate = ing["ledger_rows"] / ing["seconds"]
    print(f"{'stage':<10}{'seconds':>10}{'cpu s':>9}{'events/s':>12}{'peak RSS MiB':>14}  goal")
    print(_row("simulate", sim, sim_rate) + "  >= 100,000/s, <= 1024 MiB")
    print(_row("ingest", ing, ing_rate) + "  >= 20,000/s, <= 1024 MiB")
    print(
        _row("ceiling", ceil, ceil_rate)
        + f"  (ledger rows/s, plain sqlite3 executemany of {ing['ledger_rows']:,} rows)"
    )
    print(
        f"ingest wrote {ing['ledger_rows']:,} ledger rows at {ing_rows_rate:,.0f} rows/s: "
        f"{ing_rows_rate / ceil_rate:.2f} x the sqlite3 ceiling; "
        f"simulate is {sim_rate / ing_rate:.1f} x ingest"
    )
    print(_history(ing["batches"]))


def _history(batches: list[list[float]]) -> str:
    """Whether ingest slows as the database grows: its rate over each fifth of the batches
    (each batch's own, when there are fewer than five)."""
    if len(batches) < 2:
        return "ingest per batch: too few batches to compare"
    parts = min(5, len(batches))
    groups = [batches[len(batches) * k // parts : len(batches) * (k + 1) // parts] for k in range(parts)]
    rates = [sum(n for _, n in part) / sum(s for s, _ in part) for part in groups]
    slowest, fastest = max(s for s, _ in batches), min(s for s, _ in batches)
    return (
        f"ingest events/s over {'each fifth of its batches' if parts == 5 else 'its batches'}: "
        f"{' / '.join(f'{r:,.0f}' for r in rates)} "
        f"(batches of {BATCH:,}: slowest {slowest:.1f} s, fastest {fastest:.1f} s)"
    )


def _row(stage: str, figures: dict, rate: float) -> str:  # type: ignore[type-arg]
    seconds, cpu, rss = figures["seconds"], figures["cpu"], figures["rss_mib"]
    return f"{stage:<10}{seconds:>10.1f}{cpu:>9.1f}{rate:>12,.0f}{rss:>14.0f}"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
