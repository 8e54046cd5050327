"""Each loyalty job does its one thing when called, as the scheduler calls it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from loyalty import grants, jobs
from loyalty.webhooks import enqueue, subscribe
from storage.db import transaction
from storage.models.accounts import LoginFailure
from storage.models.core import Fan
from storage.models.loyalty import ApiRateWindow, ClaimFailure, Partner, WebhookDelivery
from tests.loyalty_fixtures import make_fan, make_partner

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_the_webhook_job_tries_every_due_message(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    make_partner(loyalty_app)
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        partner = session.scalars(select(Partner)).one()
        cipher = loyalty_app.extensions["token_cipher"]
        subscribe(session, cipher, partner.id, "http://127.0.0.1:9/closed", ["reward.redeemed"], NOW)
        enqueue(session, partner.id, "reward.redeemed", "redemption:1", {"id": 1}, NOW)
    report = jobs.deliver_webhooks(loyalty_app, NOW)
    assert (report.delivered, report.retrying, report.failed) == (0, 1, 0)  # nobody listens on port 9
    with loyalty_app.extensions["db_sessions"]() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
    assert (delivery.attempts, delivery.status) == (1, "pending")


def test_the_yearly_job_grants_a_birthday_once(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    fan = make_fan(loyalty_app)
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        grants.set_birthday(session, fan, 11, 24, NOW)
    assert jobs.grant_yearly_points(loyalty_app, NOW) == 1
    assert jobs.grant_yearly_points(loyalty_app, NOW + timedelta(hours=1)) == 0
    with loyalty_app.extensions["db_sessions"]() as session:
        assert session.scalar(select(Fan.lifetime_points).where(Fan.id == fan)) == 50


def test_the_cleanup_jobs_drop_only_what_is_past_its_window(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    minute = int(NOW.timestamp()) // 60
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        for age in (16, 14):  # minutes; both throttling windows are 15 minutes
            session.add(ClaimFailure(key="fan:x", at=NOW - timedelta(minutes=age)))
            session.add(LoginFailure(key="email:a@example.org", at=NOW - timedelta(minutes=age)))
        session.add_all(ApiRateWindow(key_id=1, window=w, count=1) for w in (minute - 2, minute))
    assert jobs.forget_claim_failures(loyalty_app, NOW) == 1
    assert jobs.forget_login_failures(loyalty_app, NOW) == 1
    assert jobs.forget_api_records(loyalty_app, NOW).rate_windows == 1
    with loyalty_app.extensions["db_sessions"]() as session:
        assert len(session.scalars(select(ClaimFailure)).all()) == 1
        assert len(session.scalars(select(LoginFailure)).all()) == 1
