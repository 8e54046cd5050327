"""An app running test campaigns for the loyalty tests, a live partner key, a fan, signed calls."""

from __future__ import annotations

import json
import textwrap
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from accounts.roles import Role
from accounts.service import create_user
from loyalty.keys import issue_key
from loyalty.partners import NewPartner, approve, create_partner
from loyalty.signing import SignedRequest, sign
from storage.db import Base, transaction

CAMPAIGNS = textwrap.dedent(
    """
    version: 1
    levels: [{name: Member, points: 0}, {name: Gold, points: 100}]
    rewards:
      - {id: coffee, name: Free coffee, cost: 20, stock: 5, per_fan: 2, partner: acme-shop}
      - {id: scarf, name: Club scarf, cost: 30, partner: fc-club}
      - {id: sticker, name: Sticker, cost: 5}
    campaigns:
      - id: acme-autumn
        name: Autumn at Acme
        rules:
          - {id: buy, on: purchase, if: {amount: {min: 5}}, points: {per: amount, rate: 2},
             max: {points: 400, per: week}}
          - {id: visit, on: checkin, if: {action: visit}, points: 20, max: {count: 1, per: day}}
          - {id: code, on: checkin, points: {per: value, rate: 1}}
        leaderboards: [{id: all-time}]
      - id: other-brand
        name: Another brand
        rules: [{id: buy, on: purchase, points: 1}]
    """
)


def loyalty_app_on(database_url: str, tmp_path):  # type: ignore[no-untyped-def]
    """The app on `database_url` with the test campaigns above and every table."""
    import storage.models  # noqa: F401
    from app import create_app

    path = tmp_path / "campaigns.yaml"
    path.write_text(CAMPAIGNS)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "CAMPAIGNS_PATH": str(path),
            "API_RATE_LIMIT_PER_MINUTE": 1000,
        }
    )
    Base.metadata.create_all(app.extensions["db_engine"])
    return app


@pytest.fixture
def loyalty_app(tmp_path):  # type: ignore[no-untyped-def]
    """The app on SQLite with the test campaigns above."""
    app = loyalty_app_on(f"sqlite:///{tmp_path / 'app.sqlite'}", tmp_path)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def loyalty_client(loyalty_app):  # type: ignore[no-untyped-def]
    return loyalty_app.test_client()


def make_partner(
    app, slug: str = "acme-shop", *, live: bool = True, campaigns=("acme-autumn",)
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A partner with one key per mode it may have: {"sandbox": key, "live": key}."""
    now = datetime.now(UTC)
    with transaction(app.extensions["db_sessions"]) as session:
        partner = create_partner(
            session, NewPartner(slug, slug.title(), "shop", f"{slug}@example.org", campaigns), now
        )
        keys = {"sandbox": issue_key(session, partner, "sandbox", now).secret}
        if live:
            approve(session, slug, now)
            keys["live"] = issue_key(session, partner, "live", now).secret
    return keys


def make_fan(app, email: str = "anna@example.org", name: str = "Anna") -> str:  # type: ignore[no-untyped-def]
    """A fan account; its engine id."""
    with transaction(app.extensions["db_sessions"]) as session:
        account = create_user(session, email, "password-1234", Role.FAN, name, datetime.now(UTC))
    return account.fan_id or ""


def call(  # type: ignore[no-untyped-def]
    client,
    key: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    idem: str | None = None,
    ts: int | None = None,
    raw: bytes | None = None,
):
    """A signed API request, as a partner's code would send it."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    stamp = str(int(time.time()) if ts is None else ts)
    headers = {
        "Authorization": f"Bearer {key}",
        "Fanfare-Timestamp": stamp,
        "Fanfare-Signature": sign(key, SignedRequest(method, path, stamp, idem or "", data)),
    }
    if idem is not None:
        headers["Idempotency-Key"] = idem
    return client.open(path, method=method, data=data, headers=headers, content_type="application/json")


@pytest.fixture
def loyalty_login(loyalty_app, loyalty_client):  # type: ignore[no-untyped-def]
    """`loyalty_login(role, email)` logs the loyalty client in as a new user of that role."""

    def _login(role: str = "fan", email: str | None = None):  # type: ignore[no-untyped-def]
        email = email or f"{role}@example.org"
        with transaction(loyalty_app.extensions["db_sessions"]) as session:
            account = create_user(
                session, email, "password-1234", Role(role), role.title(), datetime.now(UTC)
            )
        response = loyalty_client.post("/login", data={"email": email, "password": "password-1234"})
        assert response.status_code == 302, response.text
        return account

    return _login
