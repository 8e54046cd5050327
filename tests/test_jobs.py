"""Scheduled jobs, called as the scheduler calls them, and their place in the scheduler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

import jobs
from engine.rules.registry import CampaignRegistry
from jobs import add_monitoring_jobs, monitoring_update_job, purge_job
from monitoring.scoring import default_scorer
from pipeline import ingest_events
from storage.models.core import StoredEvent
from storage.models.monitoring import InfluencerFlag, ListeningDay
from tests.web.community_seed import COMMUNITY_YAML, seed_events


@pytest.fixture
def monitored_app(app, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "campaigns.yaml"
    path.write_text(COMMUNITY_YAML, encoding="utf-8")
    app.extensions["campaigns"] = CampaignRegistry(path, interval=0)
    return app


def _ingest(app, events) -> None:  # type: ignore[no-untyped-def]
    campaigns = app.extensions["campaigns"].current()
    ingest_events(
        app.extensions["db_sessions"],
        campaigns,
        events,
        source="t",
        now=datetime.now(UTC),
        scorer=default_scorer(),
    )


def test_the_update_job_folds_new_events_in_and_flags_once(monitored_app) -> None:  # type: ignore[no-untyped-def]
    _ingest(monitored_app, seed_events())
    summary = monitoring_update_job(monitored_app)
    assert summary.startswith("monitoring update: 10 new event(s), 0 retraction(s), 3 author(s) ranked")
    assert summary.endswith("3 newly flagged")  # min_score 0: every author crosses
    with monitored_app.extensions["db_sessions"]() as session:
        mentions = sum(
            d.mentions for d in session.scalars(select(ListeningDay).where(ListeningDay.campaign == ""))
        )
        flags = {f.author: f.status for f in session.scalars(select(InfluencerFlag))}
    assert mentions == 10
    assert flags == {"x:anna": "flagged", "x:ben": "flagged", "x:@carl": "flagged"}
    again = monitoring_update_job(monitored_app)  # nothing new: nothing read twice, nobody flagged twice
    assert again == "monitoring update: 0 new event(s), 0 retraction(s), 3 author(s) ranked, 0 newly flagged"


def test_the_purge_job_removes_a_deleted_posts_text(monitored_app) -> None:  # type: ignore[no-untyped-def]
    _ingest(monitored_app, seed_events())
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    _ingest(
        monitored_app,
        [{"id": "d1", "platform": "x", "type": "retract", "at": at, "attrs": {"retracts": "b2"}}],
    )
    assert purge_job(monitored_app) == "monitoring purge: 1 deleted and 0 expired post(s) purged"
    with monitored_app.extensions["db_sessions"]() as session:
        assert "text" not in session.get(StoredEvent, "b2").payload  # type: ignore[union-attr]
        assert session.get(StoredEvent, "b1").payload["text"] == "Great espresso, thank you!"  # type: ignore[union-attr]
        negative = sum(
            d.negative for d in session.scalars(select(ListeningDay).where(ListeningDay.campaign == ""))
        )
    assert negative == 0  # b2 was the one negative post
    assert purge_job(monitored_app) == "monitoring purge: 0 deleted and 0 expired post(s) purged"


def test_without_campaigns_the_jobs_do_nothing(app) -> None:  # type: ignore[no-untyped-def]
    class Nothing:
        def current(self) -> None:
            return None

    app.extensions["campaigns"] = Nothing()
    assert monitoring_update_job(app) == "monitoring update: no campaigns in force"
    assert purge_job(app) == "monitoring purge: no campaigns in force"


def test_both_jobs_are_scheduled_at_their_intervals(monitored_app) -> None:  # type: ignore[no-untyped-def]
    monitored_app.config["MONITORING_UPDATE_SECONDS"] = 120
    scheduler = BackgroundScheduler(timezone=UTC)
    assert add_monitoring_jobs(monitored_app, scheduler) == ["monitoring:update", "monitoring:purge"]
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs["monitoring:update"].func is monitoring_update_job
    assert jobs["monitoring:update"].trigger.interval == timedelta(minutes=2)
    assert jobs["monitoring:purge"].func is purge_job
    assert jobs["monitoring:purge"].trigger.interval == timedelta(hours=1)
    assert jobs["monitoring:purge"].max_instances == 1


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


def test_job_runs_are_counted_for_the_metrics(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    from observability.metrics import JOB_RUNS

    before = JOB_RUNS.labels("loyalty:claim-failures", "ok")._value.get()
    jobs.loyalty_job(loyalty_app, "loyalty:claim-failures")
    assert JOB_RUNS.labels("loyalty:claim-failures", "ok")._value.get() == before + 1


def test_the_close_periods_job_grants_rank_badges_for_ended_periods(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage.models.core import BadgeGrant

    path = tmp_path / "campaigns.yaml"
    path.write_text(
        "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"
        "    badges:\n      - {id: top, name: Top, leaderboard: daily, rank: 1}\n"
        "    leaderboards:\n      - {id: daily, period: day}\n",
        encoding="utf-8",
    )
    app.extensions["campaigns"] = CampaignRegistry(path, interval=0)
    event = {
        "id": "e",
        "platform": "x",
        "type": "retweet",
        "at": "2026-01-05T10:00:00Z",
        "actor": {"id": "1"},
    }
    _ingest(app, [event | {"post": {"id": "p", "author": "club"}}])
    with app.app_context(), app.extensions["db_sessions"]() as session:
        assert session.scalars(select(BadgeGrant)).all() == []  # a stream closes no period by itself
    assert jobs.close_periods_job(app) == "close periods: done"
    with app.app_context(), app.extensions["db_sessions"]() as session:
        grants = session.scalars(select(BadgeGrant)).all()
        assert [(g.fan_id, g.badge_id, g.period) for g in grants] == [("x:1", "top", "2026-01-05")]
