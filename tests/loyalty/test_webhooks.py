"""Webhooks out: written with the award, signed, retried with backoff, logged."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from loyalty.earn import ApiError, CreditRequest, FanRef, credit
from loyalty.keys import KeyOwner
from loyalty.webhooks import WebhookError, backoff, deliver_due, signature, subscribe
from storage.db import transaction
from storage.encryption import TokenCipher
from storage.models.loyalty import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.factories import campaigns
from tests.loyalty.conftest import NOW
from tests.loyalty_fixtures import CAMPAIGNS

CIPHER = TokenCipher(Fernet.generate_key().decode())
RULES = campaigns(CAMPAIGNS)


class Receiver:
    """A partner's endpoint on 127.0.0.1 that fails the first `failures` calls."""

    def __init__(self, failures: int) -> None:
        self.failures, self.received = failures, []  # type: ignore[var-annotated]
        self.server = make_server("127.0.0.1", 0, self._app)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"

    def _app(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        self.received.append((dict(request.headers), request.get_data()))
        status = 500 if len(self.received) <= self.failures else 204
        return Response(status=status)(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    target = Receiver(failures=2)
    thread = threading.Thread(target=target.server.serve_forever, daemon=True)
    thread.start()
    yield target
    target.server.shutdown()


def _credit(sessions, partner, fan) -> dict:  # type: ignore[no-untyped-def,type-arg]
    owner = KeyOwner(1, partner.id, "acme-shop", "live", ("acme-autumn",))
    req = CreditRequest("purchase", FanRef("id", fan), "A-1", NOW, Decimal("10"), "EUR")
    with transaction(sessions) as session:
        return credit(session, RULES, owner, req, NOW)


def test_a_credit_is_delivered_signed_after_retries_with_backoff(
    sessions, live_partner, fan, receiver
) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        sub = subscribe(session, CIPHER, live_partner.id, receiver.url, ["points.credited"], NOW)
    body = _credit(sessions, live_partner, fan)

    first = deliver_due(sessions, CIPHER, NOW)
    assert (first.delivered, first.retrying) == (0, 1)
    assert (
        deliver_due(sessions, CIPHER, NOW + timedelta(seconds=29)).summary()
        == "0 delivered, 0 to retry, 0 given up"
    )
    assert (
        deliver_due(sessions, CIPHER, NOW + timedelta(seconds=30)).retrying == 1
    )  # 30 s after the first failure
    assert deliver_due(sessions, CIPHER, NOW + timedelta(seconds=89)).delivered == 0  # then 60 s more
    assert deliver_due(sessions, CIPHER, NOW + timedelta(seconds=90)).delivered == 1
    assert deliver_due(sessions, CIPHER, NOW + timedelta(hours=1)).delivered == 0  # sent once only

    headers, raw = receiver.received[-1]
    stamp = int(headers["Fanfare-Webhook-Timestamp"])
    assert headers["Fanfare-Webhook-Signature"] == signature(sub.secret, stamp, raw)
    message = json.loads(raw)
    assert message == {
        "id": "points.credited:partner:acme-shop:purchase:A-1",
        "type": "points.credited",
        "data": body,
    }
    with sessions() as session:
        attempts = list(session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))
        assert [a.status_code for a in attempts] == [500, 500, 204]
        assert attempts[0].error == "answered HTTP 500" and attempts[2].error == ""
        stored = session.scalars(select(WebhookSubscription)).one()
        assert sub.secret not in stored.secret_enc and CIPHER.decrypt(stored.secret_enc) == sub.secret


def test_no_message_without_its_award(sessions, live_partner, fan, receiver) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        subscribe(session, CIPHER, live_partner.id, receiver.url, ["points.credited"], NOW)
    owner = KeyOwner(1, live_partner.id, "acme-shop", "live", ("acme-autumn",))
    req = CreditRequest("purchase", FanRef("id", "fan-nobody"), "A-2", NOW, Decimal("10"), "EUR")
    with pytest.raises(ApiError), transaction(sessions) as session:
        credit(session, RULES, owner, req, NOW)
    with sessions() as session:
        assert session.scalars(select(WebhookDelivery)).all() == []


def test_an_unreachable_endpoint_is_given_up_after_eight_attempts(sessions, live_partner, fan) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        subscribe(session, CIPHER, live_partner.id, "http://127.0.0.1:9/closed", ["points.credited"], NOW)
    _credit(sessions, live_partner, fan)
    at = NOW
    for _ in range(8):
        deliver_due(sessions, CIPHER, at)
        at += timedelta(hours=7)
    with sessions() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts) == ("failed", 8)
        assert delivery.last_error.startswith("ConnectionError")
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 9, 11)] == [30, 60, 120, 7680, 6 * 3600]


def test_subscriptions_are_checked(sessions, live_partner) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        with pytest.raises(WebhookError):
            subscribe(session, CIPHER, live_partner.id, "ftp://x", ["points.credited"], NOW)
        with pytest.raises(WebhookError):
            subscribe(session, CIPHER, live_partner.id, "https://x.example/h", ["fan.deleted"], NOW)
