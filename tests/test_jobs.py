"""The scheduler runs the loyalty jobs at their intervals; a job run reports what it did."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

import jobs


def test_the_loyalty_jobs_are_scheduled_at_their_intervals(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    scheduler = BackgroundScheduler()
    names = jobs.add_loyalty_jobs(loyalty_app, scheduler)
    every = {job.id: job.trigger.interval.total_seconds() for job in scheduler.get_jobs()}
    assert every == {
        "loyalty:webhooks": 60,
        "loyalty:yearly-grants": 86_400,
        "loyalty:claim-failures": 3_600,
        "loyalty:api-records": 3_600,
        "accounts:login-failures": 3_600,
    }
    assert names == list(every)


def test_a_job_run_says_what_it_did(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    assert jobs.loyalty_job(loyalty_app, "loyalty:webhooks") == (
        "loyalty:webhooks: 0 delivered, 0 to retry, 0 given up"
    )
    assert jobs.loyalty_job(loyalty_app, "loyalty:claim-failures") == "loyalty:claim-failures: 0"
