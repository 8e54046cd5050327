"""Workers killed with SIGKILL at random points lose nothing and award nothing twice.

On a real PostgreSQL server: 200,000 events are applied once by one uninterrupted process
(`ingest`), once by worker processes of which one is killed twenty times at random moments
and restarted, and once by four workers at once. Ledger, badges, boards, totals, caps,
links and stored events must be identical in all three.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from inbox.router import enqueue_lines, pending
from pipeline import close_periods, ingest_lines
from storage.db import make_engine, make_sessionmaker
from storage.schema import ROOT
from tests.engine.test_properties import ORDERED, ORDERED_YAML, START
from tests.inbox.snapshot import snapshot
from tests.inbox.streams import busy_stream
from tests.postgres import ThrowawayPostgres

EVENTS = 200_000
NOW = START.replace(year=2027)
KILLS = 20


@pytest.fixture(scope="module")
def backlog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "events.jsonl"
    events = busy_stream(EVENTS, fans=20_000, seed=11, days=28)
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def campaigns_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "campaigns.yaml"
    path.write_text(textwrap.dedent(ORDERED_YAML), encoding="utf-8")
    return path


def _outcome(url: str) -> dict:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    close_periods(sessions, ORDERED, NOW)
    with sessions() as session:
        assert pending(session) == 0
        result = snapshot(session)
    engine.dispose()
    return result


@pytest.fixture(scope="module")
def one_process(postgres_server: ThrowawayPostgres, backlog: Path) -> dict:
    url = postgres_server.database("one_process")
    engine = make_engine(url)
    with backlog.open(encoding="utf-8") as lines:
        report = ingest_lines(make_sessionmaker(engine), ORDERED, lines, source="gen", now=NOW)
    engine.dispose()
    assert report.accepted > EVENTS * 0.9  # the rest: retracts refused, quarantined with reasons
    return _outcome(url)


def _queued(server: ThrowawayPostgres, name: str, backlog: Path) -> str:
    url = server.database(name)
    engine = make_engine(url)
    with backlog.open(encoding="utf-8") as lines:
        report = enqueue_lines(make_sessionmaker(engine), ORDERED, lines, source="gen", now=NOW)
    engine.dispose()
    assert report.queued + report.rejected == EVENTS  # a retract of the unseen is refused on arrival
    return url


class Workers:
    """`flask --app app worker` processes, as production runs them."""

    def __init__(self, url: str, campaigns: Path) -> None:
        self.env = os.environ | {
            "DATABASE_URL": url,
            "FANFARE_CAMPAIGNS_PATH": str(campaigns),
            "FANFARE_LOG_FORMAT": "text",
        }
        self.url = url
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.started = 0

    def start(self) -> None:
        self.started += 1
        name = f"worker-{self.started}"  # PostgreSQL shows it as the connections' application_name
        command = [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "worker",
            "--until-empty",
            "--batch",
            "2000",
        ]
        env = self.env | {"PGAPPNAME": name}
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.running.append((name, proc))

    def kill_oldest(self, left_at_most: int, limit: float = 600.0) -> None:
        """SIGKILL the oldest worker once at most `left_at_most` events wait, at a moment
        PostgreSQL shows its batch's transaction open: every kill breaks a batch in flight.
        Kill points follow the backlog, not the clock, so they spread over the work however
        busy the machine is."""
        name, proc = self.running[0]
        engine = make_engine(self.url)
        deadline = time.monotonic() + limit
        try:
            with make_sessionmaker(engine)() as session:
                while pending(session) > left_at_most or not _in_transaction(session, name):
                    assert all(p.poll() is None for _, p in self.running), "a worker ended early"
                    assert time.monotonic() < deadline, f"no progress to {left_at_most} in {limit:.0f} s"
                    session.rollback()  # a fresh snapshot for the next look
                    time.sleep(0.01)
        finally:
            engine.dispose()
        proc.send_signal(signal.SIGKILL)
        proc.communicate()  # reaps it and closes its pipe
        self.running.pop(0)

    def wait(self, timeout: float) -> None:
        for _, proc in self.running:
            _, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err.decode(errors="replace")[-2000:]


def _in_transaction(session: Session, name: str) -> bool:
    """Whether a worker has a transaction open (it is inside a batch) right now."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND xact_start IS NOT NULL"
    )
    return bool(session.scalar(query, {"name": name}))


def test_workers_killed_twenty_times_end_exactly_as_one_uninterrupted_process(
    postgres_server: ThrowawayPostgres,
    backlog: Path,
    campaigns_file: Path,
    one_process: dict,
    workers_of: Any,
) -> None:
    url = _queued(postgres_server, "killed", backlog)
    workers = workers_of(url, campaigns_file)
    rng = random.Random(20)
    workers.start()
    workers.start()
    step = EVENTS // (KILLS + 4)  # the kills spread over the first five sixths of the backlog
    for kill in range(KILLS):
        # The oldest worker at some point of a batch (loading, applying, writing or committing)
        # once the backlog is down to a random mark within this kill's share of it.
        workers.kill_oldest(left_at_most=EVENTS - step * kill - rng.randrange(step))
        workers.start()
    left = _pending(url)
    workers.wait(timeout=900)
    assert 0 < left < EVENTS * 0.9  # work was done meanwhile, and every kill fell while work remained
    assert _outcome(url) == one_process


def test_four_workers_over_one_backlog_end_exactly_as_one_process(
    postgres_server: ThrowawayPostgres,
    backlog: Path,
    campaigns_file: Path,
    one_process: dict,
    workers_of: Any,
) -> None:
    url = _queued(postgres_server, "four", backlog)
    workers = workers_of(url, campaigns_file)
    for _ in range(4):
        workers.start()
    workers.wait(timeout=900)
    assert _outcome(url) == one_process


def _pending(url: str) -> int:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        count = pending(session)
    engine.dispose()
    return count


@pytest.fixture
def workers_of() -> Iterator[Any]:
    """Worker processes for a database; any still running at the end are killed."""
    made: list[Workers] = []

    def make(url: str, campaigns: Path) -> Workers:
        made.append(Workers(url, campaigns))
        return made[-1]

    yield make
    for workers in made:
        for _, proc in workers.running:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
