"""Workers on PostgreSQL: events/s for 1, 2 and 4 worker processes over the same backlog.

    .venv/bin/python -m bench.scale [--events 200000] [--fans 20000] [--workers 1,2,4]
        [--server tuned|defaults] [--statements 15] [--no-ingest]
    (or: make bench-scale)

Starts a throwaway PostgreSQL server (as the tests do), generates the engine benchmark's
event file (bench/engine.py: 3 campaigns, 15 rules, badges and boards), and for each
worker count: a fresh database, the file queued (`enqueue`, timed on its own), then N
worker processes started together and timed until the inbox is empty. The baseline,
measured in the same run, is the one-process path (`ingest` straight into the database);
the table gives each run's events/s, its speed-up over one worker, and its share of
linear scaling. The server runs with the settings docs/workers.md recommends for
production (`TUNED`), or with PostgreSQL's defaults (`--server defaults`); with
`--statements N` it also prints, per run, the N statements the workers' batches spent
most server time on (pg_stat_statements).
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

from inbox.worker import WORKER_BATCH
from tests.postgres import ThrowawayPostgres
from tests.postgres import start as start_postgres

NOW = datetime(2027, 1, 1, tzinfo=UTC)
# What docs/workers.md recommends for a production server, and what it changes here:
# the planner's cost of a random page read as on SSDs / a cached database (the default, 4,
# assumes spinning disks and makes it scan whole tables of scores and badge progress for
# a batch's few hundred fans instead of looking them up by key).
TUNED = {"random_page_cost": "1.1"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--fans", type=int, default=20_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--batch", type=int, default=WORKER_BATCH, help="events per batch, at most")
    parser.add_argument("--server", choices=("tuned", "defaults"), default="tuned")
    parser.add_argument("--no-ingest", action="store_true", help="skip the one-process baseline")
    parser.add_argument("--statements", type=int, default=0, help="print the top N statements per run")
    args = parser.parse_args()
    from bench.engine import campaigns_yaml, generate

    counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="fanfare-scale-") as tmp:
        events, campaigns = Path(tmp) / "events.jsonl", Path(tmp) / "campaigns.yaml"
        generate(events, args.events, args.fans)
        campaigns.write_text(campaigns_yaml(), encoding="utf-8")
        settings = dict(TUNED) if args.server == "tuned" else {}
        if args.statements:
            settings["shared_preload_libraries"] = "pg_stat_statements"
        server = start_postgres(settings)
        try:
            print(
                f"{args.events:,} events, {args.fans:,} fans; server {args.server}; "
                f"load average {os.getloadavg()[0]:.2f}"
            )
            base = 0.0
            if not args.no_ingest:
                base = _one_process(server, "scale_direct", events, campaigns, args.batch)
                print(f"one process, no inbox (ingest):   {base:>8,.0f} events/s")
            rates: dict[int, float] = {}
            for count in counts:
                rates[count] = _workers(
                    server, f"scale_w{count}", events, campaigns, count, args.batch, args.statements
                )
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
    server: ThrowawayPostgres,
    name: str,
    events: Path,
    campaigns: Path,
    count: int,
    batch: int,
    statements: int = 0,
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
    if statements:
        _statements_reset(engine)
    server_cpu, workers_cpu = _server_cpu(server), _children_cpu()
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]
    for proc in procs:
        proc.wait()
    seconds = time.perf_counter() - started
    server_cpu, workers_cpu = _server_cpu(server) - server_cpu, _children_cpu() - workers_cpu
    with sessions() as session:
        left = pending(session)
    rate = queued / seconds
    print(
        f"{count} worker(s): queued {queued:,} in {enqueued:.1f} s ({queued / enqueued:,.0f}/s), "
        f"applied in {seconds:.1f} s: {rate:,.0f} events/s; {left} left; CPU per event: "
        f"workers {workers_cpu / queued * 1e6:,.0f} µs, database server {server_cpu / queued * 1e6:,.0f} µs"
    )
    if statements:
        _statements_print(engine, statements, queued)
    engine.dispose()
    return rate


def _statements_reset(engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
        connection.execute(text("SELECT pg_stat_statements_reset()"))
        connection.commit()


def _statements_print(engine, top: int, events: int) -> None:  # type: ignore[no-untyped-def]
    """The statements that took the most server time, per event (time includes waits, e.g. a
    COPY's for the client's rows, and locks)."""
    from sqlalchemy import text

    query = text(
        "SELECT calls, total_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g') "
        "FROM pg_stat_statements "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "ORDER BY total_exec_time DESC"
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    total = sum(row[1] for row in rows)
    print(f"   statements: {total * 1000 / events:,.1f} µs per event in all; the top {top}:")
    for calls, milliseconds, count, sql in rows[:top]:
        print(f"   {milliseconds * 1000 / events:6.1f} µs {calls:>7} calls {count:>8} rows  {sql[:110]}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_cpu(server: ThrowawayPostgres) -> float:
    """CPU seconds used so far by this server: its postmaster (with the backends it has reaped)
    and its live processes. Only this one: colleagues' test servers may run on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = (Path(server.directory) / "data" / "postmaster.pid").read_text().split()[0]
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if entry.name != postmaster and fields[1] != postmaster:  # fields[1]: the parent's pid
            continue
        # utime, stime, and those of its ended children (backends, once the postmaster reaps them)
        total += sum(int(value) for value in fields[11:15]) / tick
    return total


def _table(rates: dict[int, float], base: float) -> None:
    one = rates.get(1) or next(iter(rates.values()))
    print("\n| workers | events/s | vs 1 worker | of linear | vs one process |")
    print("|---|---|---|---|---|")
    for count, rate in rates.items():
        versus = f"{rate / base:.2f}x" if base else ""
        print(f"| {count} | {rate:,.0f} | {rate / one:.2f}x | {rate / one / count:.0%} | {versus} |")


if __name__ == "__main__":
    main()
