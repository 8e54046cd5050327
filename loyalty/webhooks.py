"""Webhooks out: partners hear about points credited to (and taken back from) their fans.

`enqueue` writes one outbox row per subscribed endpoint in the transaction of the award
itself, so a message exists exactly when its award does. `deliver_due` (a job, or
`flask webhooks deliver`) posts due messages, each signed with the subscription's secret,
and retries failures with exponential backoff; every attempt is logged.

Kinds: `points.credited`, `points.retracted`, and `reward.redeemed` and
`reward.delivered`, which the redemption service (storage/redemptions.py) enqueues
through the same function for rewards of the partner.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.store import insert_new
from storage.db import transaction
from storage.encryption import TokenCipher
from storage.models.loyalty import WebhookAttempt, WebhookDelivery, WebhookSubscription

KINDS = ("points.credited", "points.retracted", "reward.redeemed", "reward.delivered")
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
LEASE = timedelta(minutes=5)  # a worker's claim on a message while it sends it
TIMEOUT_SECONDS = 10

Post = Callable[..., Any]


class WebhookError(ValueError):
    """A subscription that cannot be made; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class NewSubscription:
    """A subscription just made: `secret` is shown to the partner this once."""

    id: int
    secret: str


def subscribe(
    session: Session, cipher: TokenCipher, partner_id: int, url: str, kinds: list[str], now: datetime
) -> NewSubscription:
    """Subscribe an endpoint to kinds of messages."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 2000:
        raise WebhookError("the endpoint must be an http(s) URL")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise WebhookError(f"choose among {', '.join(KINDS)}")
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    row = WebhookSubscription(
        partner_id=partner_id, url=url, events=kinds, secret_enc=cipher.encrypt(secret), created_at=now
    )
    session.add(row)
    session.flush()
    return NewSubscription(row.id, secret)


def enqueue(
    session: Session, partner_id: int, kind: str, message_id: str, payload: dict[str, Any], now: datetime
) -> int:
    """Put a message for every active subscription of the partner to `kind`; how many."""
    subscriptions = session.scalars(
        select(WebhookSubscription).where(
            WebhookSubscription.partner_id == partner_id, WebhookSubscription.active.is_(True)
        )
    )
    count = 0
    for sub in subscriptions:
        if kind in sub.events:
            row = {
                "subscription_id": sub.id,
                "message_id": f"{kind}:{message_id}",
                "kind": kind,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "last_error": "",
            }
            count += insert_new(session, WebhookDelivery, row)
    return count


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=` + hex HMAC-SHA256 of `<timestamp>.<body>`: what the receiver recomputes."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... at most 6 h."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass(slots=True)
class DeliveryReport:
    """What one run of the delivery job did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        return f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} given up"


def deliver_due(
    sessions: sessionmaker[Session],
    cipher: TokenCipher,
    now: datetime,
    *,
    post: Post = requests.post,
    limit: int = 100,
) -> DeliveryReport:
    """Send every message that is due; safe to run in several processes at once."""
    report = DeliveryReport()
    for delivery_id in _claim(sessions, now, limit):
        with sessions() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            sub = session.get(WebhookSubscription, delivery.subscription_id) if delivery else None
            if delivery is None or sub is None:
                continue
            body = json.dumps(
                {"id": delivery.message_id, "type": delivery.kind, "data": delivery.payload},
                sort_keys=True,
                separators=(",", ":"),
            ).encode()
            url, secret = sub.url, cipher.decrypt(sub.secret_enc)
        code, error, took = _send(post, url, secret, delivery.message_id, body, now)
        _record(sessions, delivery_id, code, error, took, now, report)
    return report


def _claim(sessions: sessionmaker[Session], now: datetime, limit: int) -> list[int]:
    """Lease due messages so that no other worker sends them meanwhile."""
    with transaction(sessions) as session:
        query = (
            select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        for row in rows:
            row.next_attempt_at = now + LEASE
        return [row.id for row in rows]


def _send(
    post: Post, url: str, secret: str, message_id: str, body: bytes, now: datetime
) -> tuple[int | None, str, int]:
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "Fanfare-Webhook-Id": message_id,
        "Fanfare-Webhook-Timestamp": str(timestamp),
        "Fanfare-Webhook-Signature": signature(secret, timestamp, body),
    }
    started = time.monotonic()
    try:
        response = post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False)
        code, error = response.status_code, ""
        if not 200 <= code < 300:
            error = f"answered HTTP {code}"
    except requests.RequestException as exc:
        code, error = None, f"{type(exc).__name__}: {exc}"[:500]
    return code, error, int((time.monotonic() - started) * 1000)


def _record(
    sessions: sessionmaker[Session],
    delivery_id: int,
    code: int | None,
    error: str,
    took: int,
    now: datetime,
    report: DeliveryReport,
) -> None:
    with transaction(sessions) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        session.add(
            WebhookAttempt(delivery_id=delivery_id, at=now, status_code=code, error=error, duration_ms=took)
        )
        if not error:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, ""
            report.delivered += 1
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.last_error = "failed", error
            report.failed += 1
        else:
            delivery.next_attempt_at, delivery.last_error = now + backoff(delivery.attempts), error
            report.retrying += 1


def log_of(session: Session, partner_id: int, limit: int = 100) -> list[tuple[WebhookDelivery, str]]:
    """A partner's latest messages with the endpoint each went to."""
    rows = session.execute(
        select(WebhookDelivery, WebhookSubscription.url)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookSubscription.partner_id == partner_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return [(delivery, url) for delivery, url in rows]


def subscriptions_of(session: Session, partner_id: int) -> list[WebhookSubscription]:
    """A partner's subscriptions, oldest first."""
    query = select(WebhookSubscription).where(WebhookSubscription.partner_id == partner_id)
    return list(session.scalars(query.order_by(WebhookSubscription.id)))
