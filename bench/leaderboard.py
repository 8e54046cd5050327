"""Leaderboard lookups at scale: the in-process rank index against a Redis sorted set.

    .venv/bin/python -m bench.leaderboard [--fans 1000000] [--lookups 2000] [--redis-port N]
    (or: make bench-leaderboard)

Builds one board of `--fans` fans with skewed scores (many ties), then measures the
median time of
  rank      a random fan's competition rank (1 + fans with strictly more points)
  position  a random fan's place in the listing
  top-50    the first page of 50 rows, with ranks
in process (engine/leaderboards/index.py, goal: under 1 ms each) and against Redis,
and against an indexed SQL query on SQLite (the other way to serve ranks from the
database: rank = 1 + COUNT of rows with more points over an index on points, top-50 =
ORDER BY the listing order over a matching index). In Redis the same ordering is
encoded in one ZSET score (points * 2^32 + seconds before
a far-off instant, so that among equal points the earlier change comes first):
  rank = ZSCORE + ZCOUNT of higher points in one Lua script (one round trip), position =
  ZREVRANK, top-50 = ZREVRANGE 0 49 WITHSCORES. It checks that both sides agree on
  the ranks it looked up, and prints the figures and the ratio Redis / in process.

Without --redis-port it starts a throwaway redis-server on a free port on 127.0.0.1
(no persistence) and stops it at the end; `make bench-leaderboard` installs Debian's
redis-server first when it is missing.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import redis

from engine.leaderboards.index import RankIndex

EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
FAR = 2**32 - 1  # seconds; the ZSET score puts earlier changes first among equal points
KEY = "bench:board"


def make_board(fans: int, seed: int = 7) -> list[tuple[str, int, datetime, str]]:
    """(fan, points, last change, last event): a few big scores, a long tail of equal small ones."""
    rng = random.Random(seed)
    rows = []
    for i in range(fans):
        points = min(1_000_000, int(rng.paretovariate(1.1) * 10))
        at = EPOCH + timedelta(seconds=rng.randrange(60 * 86400))
        rows.append((f"f{i:07d}", points, at, f"e{i}"))
    return rows


def redis_score(points: int, at: datetime) -> float:
    return float(points * 2**32 + (FAR - int((at - EPOCH).total_seconds())))


def median_us(call: Callable[[], object], samples: int) -> float:
    times = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def fill_redis(client: redis.Redis, rows: list[tuple[str, int, datetime, str]]) -> None:
    client.delete(KEY)
    for start in range(0, len(rows), 20_000):
        part = rows[start : start + 20_000]
        client.zadd(KEY, {fan: redis_score(points, at) for fan, points, at, _ in part})


RANK_LUA = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return nil end
local floor = (math.floor(tonumber(score) / 4294967296) + 1) * 4294967296
return 1 + redis.call('ZCOUNT', KEYS[1], floor, '+inf')
"""


def redis_ranker(client: redis.Redis) -> Callable[[str], int]:
    """Competition rank in one round trip: the fan's score, then how many have more points."""
    script = client.register_script(RANK_LUA)
    return lambda fan: int(script(keys=[KEY], args=[fan]))


def fill_sqlite(rows: list[tuple[str, int, datetime, str]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE board (fan TEXT PRIMARY KEY, points INT, last_at TEXT, last_event TEXT)")
    conn.executemany(
        "INSERT INTO board VALUES (?, ?, ?, ?)", ((f, p, a.isoformat(), e) for f, p, a, e in rows)
    )
    conn.execute("CREATE INDEX board_order ON board (points DESC, last_at, last_event, fan)")
    return conn


SQL_RANK = "SELECT 1 + COUNT(*) FROM board WHERE points > (SELECT points FROM board WHERE fan = ?)"
SQL_TOP = "SELECT fan, points FROM board ORDER BY points DESC, last_at, last_event, fan LIMIT 50"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis() -> tuple[subprocess.Popen[bytes], int, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server not found: `make bench-leaderboard` installs Debian's package")
    port, folder = free_port(), tempfile.mkdtemp(prefix="fanfare-redis-")
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen([*args, "--dir", folder], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return proc, port, folder
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.terminate()
    sys.exit("redis-server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fans", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--redis-port", type=int, help="Use a running Redis instead of starting one.")
    args = parser.parse_args()

    rows = make_board(args.fans)
    started = time.perf_counter()
    index = RankIndex.build(rows)
    build_s = time.perf_counter() - started
    print(f"board: {len(index):,} fans listed; index built in {build_s:.1f} s")

    proc, port, folder = (None, args.redis_port, "") if args.redis_port else start_redis()
    try:
        client = redis.Redis(port=port)
        started = time.perf_counter()
        fill_redis(client, rows)
        print(f"redis: {client.zcard(KEY):,} members filled in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        conn = fill_sqlite(rows)
        print(f"sqlite: {len(rows):,} rows filled and indexed in {time.perf_counter() - started:.1f} s")
        measure(index, client, conn, rows, args.lookups)
        client.delete(KEY)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
            shutil.rmtree(folder, ignore_errors=True)


def measure(
    index: RankIndex, client: redis.Redis, conn: sqlite3.Connection, rows: list, lookups: int
) -> None:
    rng = random.Random(11)
    sample = [rng.choice(rows) for _ in range(lookups)]
    redis_rank = redis_ranker(client)
    ordered = sorted(points for _, points, _, _ in rows if points > 0)
    for fan, points, _, _ in sample[:200]:  # both sides agree with a plain count before timing
        expected = 1 + len(ordered) - bisect.bisect_right(ordered, points)
        assert index.rank(fan) == redis_rank(fan) == expected, fan
        assert conn.execute(SQL_RANK, (fan,)).fetchone()[0] == expected
    top = [r.fan for r in index.page(0, 50)]
    assert top == [m.decode() for m in client.zrevrange(KEY, 0, 49)]
    assert top == [fan for fan, _ in conn.execute(SQL_TOP)]
    slow = max(1, lookups // 20)  # counting a long tail in SQL is slow: fewer samples

    picks = itertools.cycle(sample)
    figures = {
        "rank": (
            median_us(lambda: index.rank(next(picks)[0]), lookups),
            median_us(lambda: redis_rank(next(picks)[0]), lookups),
            median_us(lambda: conn.execute(SQL_RANK, (next(picks)[0],)).fetchone(), slow),
        ),
        "position": (
            median_us(lambda: index.position(next(picks)[0]), lookups),
            median_us(lambda: client.zrevrank(KEY, next(picks)[0]), lookups),
            None,
        ),
        "top-50": (
            median_us(lambda: index.page(0, 50), lookups),
            median_us(lambda: client.zrevrange(KEY, 0, 49, withscores=True), lookups),
            median_us(lambda: conn.execute(SQL_TOP).fetchall(), lookups),
        ),
    }
    print(f"{'median':<10}{'in process':>13}{'redis':>13}{'sqlite SQL':>14}{'redis/in proc':>15}")
    for name, (local, remote, sql) in figures.items():
        sql_text = f"{sql:>11.1f} us" if sql is not None else f"{'-':>14}"
        print(f"{name:<10}{local:>10.1f} us{remote:>10.1f} us{sql_text}{remote / local:>14.1f}x")
    worst = max(local for local, _, _ in figures.values())
    verdict = "meets" if worst < 1000 else "MISSES"
    print(f"goal: every in-process lookup under 1 ms median: {verdict} (slowest {worst:.1f} us)")


if __name__ == "__main__":
    main()
