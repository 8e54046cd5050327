"""APScheduler jobs: each connector source polled on its own interval, in its own process.

One job per source ticks at the source's base interval; the poller skips a tick
when the source is not due (an old post polled less often, a rate-limit reset or
a backoff still ahead), and those times live in the database, so a restarted
scheduler keeps them. `max_instances=1` keeps two polls of one source apart.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from connectors.runtime import runtime
from observability.metrics import JOB_RUNS

log = logging.getLogger(__name__)


def poll_job(app: Flask, name: str) -> str:
    """Poll one source if it is due; returns the outcome's summary line."""
    with app.app_context():
        rt = runtime(app)
        try:
            outcome = rt.poller.poll(rt.connectors.sources[name])
        except Exception:
            JOB_RUNS.labels(name, "error").inc()
            raise
    JOB_RUNS.labels(name, outcome.status).inc()
    if outcome.status != "not-due":
        log.info(outcome.summary())
    return outcome.summary()


def add_jobs(app: Flask, scheduler: BaseScheduler) -> list[str]:
    """One interval job per configured source, first run now."""
    rt, now = runtime(app), datetime.now(UTC)
    for name, source in rt.connectors.sources.items():
        scheduler.add_job(
            poll_job,
            "interval",
            seconds=max(1.0, source.base.total_seconds()),
            args=[app, name],
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            next_run_time=now,
            replace_existing=True,
        )
    return list(rt.connectors.sources)


def _executors(app: Flask) -> dict[str, ThreadPoolExecutor]:
    return {"default": ThreadPoolExecutor(int(app.config.get("SCHEDULER_THREADS", 2)))}


def start_background(app: Flask) -> BackgroundScheduler:
    """A scheduler in background threads (the demo runs it beside the web server)."""
    scheduler = BackgroundScheduler(executors=_executors(app), timezone=UTC)
    add_jobs(app, scheduler)
    scheduler.start()
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Block polling every source until SIGINT or SIGTERM."""
    scheduler = BlockingScheduler(executors=_executors(app), timezone=UTC)
    names = add_jobs(app, scheduler)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    print(f"scheduler: polling {len(names)} source(s): {', '.join(names)}", flush=True)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=False)
