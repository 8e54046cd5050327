"""Workers on PostgreSQL: events/s for 1, 2 and 4 worker processes over the same backlog.

    .venv/bin/python -m bench.scale [--events 200000] [--fans 20000] [--workers 1,2,4]
    (or: make bench-scale)

Starts a throwaway PostgreSQL server (as the tests do), generates the engine benchmark's
event file (bench/engine.py: 3 campaigns, 15 rules, badges and boards), and for each
worker count: a fresh database, the file queued (`enqueue`, timed on its own), then N
worker processes started together and timed until the inbox is empty. The baseline,
measured in the same run, is the one-process path (`ingest` straight into the database);
the table gives each run's events/s, its speed-up over one worker, and its share of
linear scaling.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.postgres import ThrowawayPostgres
from tests.postgres import start as start_postgres

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--fans", type=int, default=20_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    from bench.engine import campaigns_yaml, generate

    counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="fanfare-scale-") as tmp:
        events, campaigns = Path(tmp) / "events.jsonl", Path(tmp) / "campaigns.yaml"
        generate(events, args.events, args.fans)
        campaigns.write_text(campaigns_yaml(), encoding="utf-8")
        server = start_postgres()
        try:
            print(f"{args.events:,} events, {args.fans:,} fans; load average {os.getloadavg()[0]:.2f}")
            base = _one_process(server, "scale_direct", events, campaigns, args.batch)
            print(f"one process, no inbox (ingest):   {base:>8,.0f} events/s")
            rates: dict[int, float] = {}
            for count in counts:
                rates[count] = _workers(server, f"scale_w{count}", events, campaigns, count, args.batch)
            _table(rates, base)
        finally:
            server.stop()


def _campaigns(path: Path):  # type: ignore[no-untyped-def]
    from engine.rules.loader import load_campaigns

    campaigns, errors = load_campaigns(str(path))
    assert campaigns is not None, errors
    return campaigns


def _one_process(server: ThrowawayPostgres, name: str, events: Path, campaigns: Path, batch: int) -> float:
    from pipeline import ingest_lines
    from storage.db import make_engine, make_sessionmaker

    target = server.database(name)
    engine = make_engine(target)
    started = time.perf_counter()
    with events.open(encoding="utf-8") as lines:
        report = ingest_lines(
            make_sessionmaker(engine), _campaigns(campaigns), lines, source="bench", now=NOW, batch=batch
        )
    seconds = time.perf_counter() - started
    engine.dispose()
    return report.accepted / seconds


def _workers(
    server: ThrowawayPostgres, name: str, events: Path, campaigns: Path, count: int, batch: int
) -> float:
    from inbox.router import enqueue_lines, pending
    from storage.db import make_engine, make_sessionmaker

    target = server.database(name)
    engine = make_engine(target)
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    with events.open(encoding="utf-8") as lines:
        queued = enqueue_lines(sessions, _campaigns(campaigns), lines, source="bench", now=NOW).queued
    enqueued = time.perf_counter() - started
    env = os.environ | {
        "DATABASE_URL": target,
        "FANFARE_CAMPAIGNS_PATH": str(campaigns),
        "FANFARE_LOG_FORMAT": "text",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "app",
        "worker",
        "--until-empty",
        "--batch",
        str(batch),
    ]
    server_cpu, workers_cpu = _server_cpu(), _children_cpu()
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]
    for proc in procs:
        proc.wait()
    seconds = time.perf_counter() - started
    server_cpu, workers_cpu = _server_cpu() - server_cpu, _children_cpu() - workers_cpu
    with sessions() as session:
        left = pending(session)
    engine.dispose()
    rate = queued / seconds
    print(
        f"{count} worker(s): queued {queued:,} in {enqueued:.1f} s ({queued / enqueued:,.0f}/s), "
        f"applied in {seconds:.1f} s: {rate:,.0f} events/s; {left} left; CPU per event: "
        f"workers {workers_cpu / queued * 1e6:,.0f} µs, database server {server_cpu / queued * 1e6:,.0f} µs"
    )
    return rate


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL server process on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        # utime, stime, and those of its ended children (backends, once the postmaster reaps them)
        total += sum(int(value) for value in fields[11:15]) / tick
    return total


def _table(rates: dict[int, float], base: float) -> None:
    one = rates.get(1) or next(iter(rates.values()))
    print("\n| workers | events/s | vs 1 worker | of linear | vs one process |")
    print("|---|---|---|---|---|")
    for count, rate in rates.items():
        print(
            f"| {count} | {rate:,.0f} | {rate / one:.2f}x | {rate / one / count:.0%} | {rate / base:.2f}x |"
        )


if __name__ == "__main__":
    main()
