"""APScheduler jobs: each connector source polled on its own interval, monitoring's upkeep,
and the loyalty programme's housekeeping (loyalty/jobs.py).

One job per source ticks at the source's base interval; the poller skips a tick
when the source is not due (an old post polled less often, a rate-limit reset or
a backoff still ahead), and those times live in the database, so a restarted
scheduler keeps them. `max_instances=1` keeps two polls of one source apart.

Monitoring has two jobs (docs/monitoring.md): `monitoring_update_job` folds new events
into the listening, influencer and interest figures and flags influencers, every
`MONITORING_UPDATE_SECONDS` (default 5 minutes); `purge_job` honours deleted and expired
posts, every `MONITORING_PURGE_SECONDS` (default hourly). Both add to the same counters
from a cursor, so one lock keeps them from running at once in this process.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from connectors.runtime import runtime
from loyalty import jobs as loyalty_jobs
from observability.metrics import JOB_RUNS
from storage.db import transaction
from storage.leadership import leadership

log = logging.getLogger(__name__)
HOUR = 3600
# (job id, function, every how many seconds)
LOYALTY_JOBS = (
    ("loyalty:webhooks", loyalty_jobs.deliver_webhooks, 60),
    ("loyalty:yearly-grants", loyalty_jobs.grant_yearly_points, 24 * HOUR),
    ("loyalty:claim-failures", loyalty_jobs.forget_claim_failures, HOUR),
    ("loyalty:api-records", loyalty_jobs.forget_api_records, HOUR),
    ("accounts:login-failures", loyalty_jobs.forget_login_failures, HOUR),
)
MONITORING_UPDATE_SECONDS = 300
MONITORING_PURGE_SECONDS = 3600
_monitoring_lock = threading.Lock()  # update and purge both advance the aggregate cursor


@contextmanager
def counted_run(name: str) -> Iterator[None]:
    """Count a job run in the metrics as "ok" or, when it raises, "error"."""
    try:
        yield
    except Exception:
        JOB_RUNS.labels(name, "error").inc()
        raise
    JOB_RUNS.labels(name, "ok").inc()


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


def loyalty_job(app: Flask, name: str) -> str:
    """Run one loyalty job now; returns what it did, as one line."""
    function = next(f for job_id, f, _ in LOYALTY_JOBS if job_id == name)
    with counted_run(name):
        outcome = function(app, datetime.now(UTC))
    line = f"{name}: {outcome.summary() if hasattr(outcome, 'summary') else outcome}"
    log.info(line)
    return line


def add_loyalty_jobs(app: Flask, scheduler: BaseScheduler) -> list[str]:
    """The loyalty jobs at their intervals, first run now (each is safe to run again)."""
    now = datetime.now(UTC)
    for name, _, seconds in LOYALTY_JOBS:
        scheduler.add_job(
            loyalty_job,
            "interval",
            seconds=seconds,
            args=[app, name],
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            next_run_time=now,
            replace_existing=True,
        )
    return [name for name, _, _ in LOYALTY_JOBS]


def monitoring_update_job(app: Flask) -> str:
    """Fold newly stored events into monitoring's figures, then rank and flag influencers."""
    from monitoring.aggregate import update
    from monitoring.config import MonitoringConfig
    from monitoring.influencers import flag, rank

    with app.app_context(), _monitoring_lock, counted_run("monitoring:update"):
        campaigns = app.extensions["campaigns"].current()
        if campaigns is None:
            return "monitoring update: no campaigns in force"
        config = MonitoringConfig.from_mapping(campaigns.monitoring).influencers
        brands = frozenset(c.brand.lower() for c in campaigns.campaigns if c.brand)
        now = datetime.now(campaigns.tz)
        with transaction(app.extensions["db_sessions"]) as session:
            report = update(session, campaigns.tz)
            ranked = rank(session, now.date(), config, brands)
            flagged = flag(session, ranked, config, now)
    summary = (
        f"monitoring update: {report.events} new event(s), {report.retracted} retraction(s), "
        f"{len(ranked)} author(s) ranked, {len(flagged)} newly flagged"
    )
    if report.events or flagged:
        log.info(summary)
    return summary


def purge_job(app: Flask) -> str:
    """Take deleted and expired posts out of monitoring's figures and remove their text."""
    from monitoring.config import MonitoringConfig
    from monitoring.retention import purge_deleted

    with app.app_context(), _monitoring_lock, counted_run("monitoring:purge"):
        campaigns = app.extensions["campaigns"].current()
        if campaigns is None:
            return "monitoring purge: no campaigns in force"
        retention = MonitoringConfig.from_mapping(campaigns.monitoring).retention_days
        with transaction(app.extensions["db_sessions"]) as session:
            report = purge_deleted(session, datetime.now(campaigns.tz), campaigns.tz, retention)
    summary = f"monitoring purge: {report.deleted} deleted and {report.expired} expired post(s) purged"
    if report.deleted or report.expired:
        log.info(summary)
    return summary


def add_monitoring_jobs(app: Flask, scheduler: BaseScheduler) -> list[str]:
    """The monitoring update every few minutes and the purge hourly, first runs now."""
    now = datetime.now(UTC)
    jobs = (
        ("monitoring:update", monitoring_update_job, "MONITORING_UPDATE_SECONDS", MONITORING_UPDATE_SECONDS),
        ("monitoring:purge", purge_job, "MONITORING_PURGE_SECONDS", MONITORING_PURGE_SECONDS),
    )
    for job_id, job, setting, default in jobs:
        scheduler.add_job(
            job,
            "interval",
            seconds=max(1.0, float(app.config.get(setting, default))),
            args=[app],
            id=job_id,
            name=job_id,
            max_instances=1,
            coalesce=True,
            next_run_time=now,
            replace_existing=True,
        )
    return [job_id for job_id, *_ in jobs]


def add_jobs(app: Flask, scheduler: BaseScheduler) -> list[str]:
    """One interval job per configured source, monitoring's and the loyalty jobs, first run now."""
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
    return [
        *rt.connectors.sources,
        *add_engine_jobs(app, scheduler),
        *add_monitoring_jobs(app, scheduler),
        *add_loyalty_jobs(app, scheduler),
    ]


ENGINE_CLOSE_SECONDS = 300


def close_periods_job(app: Flask) -> str:
    """Judge leaderboard periods that have ended: their rank badges go to the fans placed."""
    from pipeline import close_periods

    with app.app_context(), counted_run("engine:close-periods"):
        campaigns = app.extensions["campaigns"].current()
        if campaigns is None:
            return "close periods: no campaigns in force"
        close_periods(app.extensions["db_sessions"], campaigns, datetime.now(UTC))
    return "close periods: done"


def add_engine_jobs(app: Flask, scheduler: BaseScheduler) -> list[str]:
    """Closing ended leaderboard periods, every `ENGINE_CLOSE_SECONDS` (default 5 minutes)."""
    scheduler.add_job(
        close_periods_job,
        "interval",
        seconds=max(1.0, float(app.config.get("ENGINE_CLOSE_SECONDS", ENGINE_CLOSE_SECONDS))),
        args=[app],
        id="engine:close-periods",
        name="engine:close-periods",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
        replace_existing=True,
    )
    return ["engine:close-periods"]


def _executors(app: Flask) -> dict[str, ThreadPoolExecutor]:
    return {"default": ThreadPoolExecutor(int(app.config.get("SCHEDULER_THREADS", 2)))}


def start_background(app: Flask) -> BackgroundScheduler:
    """A scheduler in background threads (the demo runs it beside the web server)."""
    scheduler = BackgroundScheduler(executors=_executors(app), timezone=UTC)
    names = add_jobs(app, scheduler)
    scheduler.start()
    log.info("scheduler: running %d job(s) in the background: %s", len(names), ", ".join(names))
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Lead the cluster's schedule until SIGINT or SIGTERM, or wait as a standby.

    Jobs run once per cluster: only the process holding the leader lock
    (storage/leadership.py) schedules them; others wait to take over. A leader that
    loses its lock (its database connection broke) stops, exiting with status 1.
    """
    stop = threading.Event()
    running: list[BlockingScheduler] = []

    def on_signal(*_: object) -> None:
        stop.set()
        for scheduler in running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("scheduler: waiting to lead the cluster's jobs", flush=True)
    with leadership(app.extensions["db_engine"], stop) as alive:
        if stop.is_set():
            return
        scheduler = BlockingScheduler(executors=_executors(app), timezone=UTC)
        names = add_jobs(app, scheduler)
        lost = threading.Event()
        scheduler.add_job(_keep_leading, "interval", seconds=30, args=[alive, scheduler, lost], id="leader")
        running.append(scheduler)
        print(f"scheduler: leading, {len(names)} job(s): {', '.join(names)}", flush=True)
        scheduler.start()
    if lost.is_set():
        raise SystemExit(1)


def _keep_leading(alive, scheduler: BlockingScheduler, lost: threading.Event) -> None:  # type: ignore[no-untyped-def]
    if not alive():
        log.error("scheduler: lost the leader lock; stopping so that a standby takes over")
        lost.set()
        scheduler.shutdown(wait=False)
