"""Leaderboard page under load: 100,000 fans, 50 concurrent clients, a production server.

    .venv/bin/python -m bench.web [--fans 100000] [--seconds 15] [--connections 50]   (or: make bench-web)

Seeds a fresh SQLite database with `--fans` fans on the acme-autumn all-time board
(bulk insert), serves the app with gunicorn on 127.0.0.1, and runs `wrk` against:
  static     /healthz, a constant answer through the same server and app (the baseline)
  board      a leaderboard page as visitors get it (rendered at most once a second or two)
  uncached   the same page rendered on every request (the page cache turned off)
printing p50/p95/p99 latency, requests/s, and each figure's ratio to the baseline.
Goal: the board's p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
BOARD = "acme-autumn/all-time"
# wrk's own summary has no p95; this script prints the percentiles we need, in ms.
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT p50=%.3f p95=%.3f p99=%.3f requests=%d seconds=%.3f errors=%d status=%d timeout=%d socket=%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout, e.status, e.timeout, e.connect + e.read + e.write))
end
"""


def seed(url: str, fans: int) -> float:
    """Schema plus `fans` fans with distinct-ish scores on one board; returns seconds taken."""
    import storage.models  # noqa: F401
    from storage.db import make_engine
    from storage.models.core import BoardScore, Fan
    from storage.schema import ensure_schema

    started = time.perf_counter()
    engine = make_engine(url)
    ensure_schema(engine)
    rng = random.Random(7)
    t0 = datetime(2026, 10, 1, tzinfo=UTC)
    fan_rows, score_rows = [], []
    for n in range(fans):
        points = rng.randint(1, 5000)
        at = t0 + timedelta(seconds=rng.randint(0, 60 * 86400))
        fan_rows.append(
            {
                "id": f"fan-{n:06d}",
                "kind": "account",
                "display_name": f"Fan {n}",
                "anonymous": n % 10 == 0,
                "lifetime_points": points,
                "spent_points": 0,
                "level": "Roaster",
                "created_at": t0,
            }
        )
        score_rows.append(
            {
                "board": BOARD,
                "period": "",
                "fan_id": f"fan-{n:06d}",
                "points": points,
                "last_at": at,
                "last_event": f"e{n}",
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Fan), fan_rows)
        conn.execute(insert(BoardScore), score_rows)
    engine.dispose()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int, cache_seconds: float, workdir: Path):  # type: ignore[no-untyped-def]
    """The app served by gunicorn on a free port; yields the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "FANFARE_DATABASE_URL": url,
        "FANFARE_CAMPAIGNS_PATH": str(ROOT / "campaigns.yaml"),
        "FANFARE_SECRET_KEY": "bench-only-secret",
        "FANFARE_BOARD_CACHE_SECONDS": str(cache_seconds),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        "--chdir", str(ROOT),
        "app:create_app()",
    ]  # fmt: skip
    log = (workdir / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(port, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped; see its log in the bench directory")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start within a minute")


def wrk(url: str, seconds: int, connections: int, script: Path) -> dict[str, float]:
    """One wrk run; its percentiles (ms), requests/s and error count."""
    warm = subprocess.run(["wrk", "-t1", "-c4", "-d2s", url], capture_output=True, text=True, check=True)
    del warm  # let every worker render and cache once before measuring
    threads = str(min(4, connections))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"RESULT (.*)", out)
    if found is None:
        raise SystemExit(f"wrk printed no result:\n{out}")
    values = dict(pair.split("=") for pair in found[1].split())
    result = {key: float(value) for key, value in values.items()}
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fans", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--path", default="/c/acme-autumn?page=3", help="the leaderboard page to load")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench-web does this)")
    workdir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    url = f"sqlite:///{workdir / 'bench.sqlite'}"
    script = workdir / "percentiles.lua"
    script.write_text(LUA)
    print(f"seeding {args.fans:,} fans ... {seed(url, args.fans):.1f} s")
    print(
        f"gunicorn, {args.workers} sync workers; wrk, {args.connections} connections, {args.seconds} s each"
    )
    results = {}
    with gunicorn(url, args.workers, 2.0, workdir) as base:
        results["static"] = wrk(f"{base}/healthz", args.seconds, args.connections, script)
        results["board"] = wrk(f"{base}{args.path}", args.seconds, args.connections, script)
    with gunicorn(url, args.workers, 0, workdir) as base:
        results["uncached"] = wrk(f"{base}{args.path}", args.seconds, args.connections, script)
    baseline = results["static"]
    print(
        f"{'':10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>9} {'errors':>7}"
        f" {'non-2xx':>8} {'timeout':>8} {'socket':>7} {'p95 / static':>13}"
    )
    for name, r in results.items():
        print(
            f"{name:10} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['rps']:9.0f} {r['errors']:7.0f}"
            f" {r['status']:8.0f} {r['timeout']:8.0f} {r['socket']:7.0f} {r['p95'] / baseline['p95']:13.2f}"
        )
    verdict = "met" if results["board"]["p95"] < 50 else "NOT met"
    print(f"goal p95 < 50 ms for {args.path} with {args.fans:,} fans: {verdict}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
