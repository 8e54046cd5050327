"""The loyalty programme's periodic jobs, one small function each, run by jobs.py's scheduler.

Each takes the app and the time, does one thing in its own transaction and returns
what it did, so a test calls it directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask

from accounts import service as accounts
from loyalty import claim_codes, grants, housekeeping, webhooks
from storage.db import transaction


def deliver_webhooks(app: Flask, now: datetime) -> webhooks.DeliveryReport:
    """Send the due webhook messages (every minute)."""
    return webhooks.deliver_due(app.extensions["db_sessions"], app.extensions["token_cipher"], now)


def grant_yearly_points(app: Flask, now: datetime) -> int:
    """Birthday and anniversary points due today in the programme's timezone (daily); how many new."""
    campaigns = app.extensions["campaigns"].current()
    if campaigns is None:  # the campaigns file is broken: nothing to grant into until it is fixed
        return 0
    config = app.config
    today = now.astimezone(ZoneInfo(config["LOYALTY_TIMEZONE"])).date()
    with transaction(app.extensions["db_sessions"]) as session:
        return grants.grant_yearly(
            session,
            campaigns,
            today,
            now,
            birthday=int(config["LOYALTY_BIRTHDAY_POINTS"]),
            anniversary=int(config["LOYALTY_ANNIVERSARY_POINTS"]),
        )


def forget_claim_failures(app: Flask, now: datetime) -> int:
    """Wrong claim codes older than the throttling window (hourly); how many."""
    with transaction(app.extensions["db_sessions"]) as session:
        return claim_codes.forget_old_failures(session, now)


def forget_api_records(app: Flask, now: datetime) -> housekeeping.Forgotten:
    """Old idempotency answers, past rate windows and stale signatures (hourly)."""
    with transaction(app.extensions["db_sessions"]) as session:
        return housekeeping.forget_old_api_records(
            session,
            now,
            keep_answers=timedelta(hours=int(app.config["API_IDEMPOTENCY_HOURS"])),
            skew=timedelta(seconds=int(app.config["API_SIGNATURE_SKEW_SECONDS"])),
        )


def forget_login_failures(app: Flask, now: datetime) -> int:
    """Failed logins older than the throttling window (hourly); how many."""
    with transaction(app.extensions["db_sessions"]) as session:
        return accounts.forget_old_failures(session, now)
