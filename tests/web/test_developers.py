"""The developer pages: joining gives a sandbox key once; partners manage their own keys."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.keys import digest
from storage.models.loyalty import ApiKey

SIGNUP = {
    "slug": "fc-north",
    "name": "FC North",
    "kind": "club",
    "email": "desk@fcnorth.example",
    "password": "long enough 1",
}


def _secret(page: str) -> str:
    return page.split('<pre class="card secret">')[1].split("</pre>")[0]


def test_joining_shows_a_sandbox_key_once_and_keeps_its_digest(app, client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/developers/signup", data=SIGNUP)
    assert response.status_code == 200
    secret = _secret(response.text)
    assert secret.startswith("ffk_sandbox_")
    keys_page = client.get("/developers/keys").text
    assert secret[:16] in keys_page and secret not in keys_page
    with app.extensions["db_sessions"]() as session:
        assert session.scalars(select(ApiKey.key_hash)).one() == digest(secret)


def test_a_sandbox_partner_cannot_make_live_keys_and_can_revoke(app, client) -> None:  # type: ignore[no-untyped-def]
    secret = _secret(client.post("/developers/signup", data=SIGNUP).text)
    refused = client.post("/developers/keys", data={"mode": "live"})
    assert refused.status_code == 400 and "approved" in refused.text
    assert client.post(f"/developers/keys/{secret[:16]}/revoke").status_code == 302
    assert "revoked" in client.get("/developers/keys").text


def test_an_admin_approves_and_the_partner_gets_live_keys(app, client, login) -> None:  # type: ignore[no-untyped-def]
    client.post("/developers/signup", data=SIGNUP)
    client.post("/logout")
    login("admin")
    assert "fc-north" in client.get("/admin/partners").text
    assert client.post("/admin/partners/fc-north/approve").status_code == 302
    client.post("/logout")
    client.post("/login", data={"email": SIGNUP["email"], "password": SIGNUP["password"]})
    issued = client.post("/developers/keys", data={"mode": "live"})
    assert issued.status_code == 200 and _secret(issued.text).startswith("ffk_live_")


def test_another_partner_s_key_cannot_be_revoked(app, client, login) -> None:  # type: ignore[no-untyped-def]
    secret = _secret(client.post("/developers/signup", data=SIGNUP).text)
    client.post("/logout")
    other = dict(SIGNUP, slug="fc-south", email="desk@fcsouth.example")
    client.post("/developers/signup", data=other)
    assert client.post(f"/developers/keys/{secret[:16]}/revoke").status_code == 404


def test_a_fan_cannot_open_the_key_page(client, login) -> None:  # type: ignore[no-untyped-def]
    login("fan")
    assert client.get("/developers/keys").status_code == 403


def test_a_partner_sees_its_redemptions_and_confirms_delivery(loyalty_app, loyalty_client) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import update

    from storage.db import transaction
    from storage.models.core import Fan
    from storage.models.loyalty import WebhookDelivery
    from storage.redemptions import redeem
    from tests.loyalty_fixtures import make_fan

    fan = make_fan(loyalty_app)
    sessions = loyalty_app.extensions["db_sessions"]
    with transaction(sessions) as session:
        session.execute(update(Fan).where(Fan.id == fan).values(lifetime_points=100))
    rules, now = loyalty_app.extensions["campaigns"].current(), datetime.now(UTC)
    coffee = redeem(sessions, rules, fan, "coffee", now=now).redemption_id
    redeem(sessions, rules, fan, "scarf", now=now)  # fc-club's reward: not on acme-shop's page
    signup = SIGNUP | {"slug": "acme-shop", "email": "desk@acme.example"}
    assert loyalty_client.post("/developers/signup", data=signup).status_code == 200
    page = loyalty_client.get("/developers/redemptions").text
    assert "Free coffee" in page and "Anna" in page and "Club scarf" not in page
    assert page.count("Confirm delivery</button>") == 1
    done = loyalty_client.post(f"/developers/redemptions/{coffee}/deliver")
    assert done.status_code == 302
    page = loyalty_client.get("/developers/redemptions").text
    assert "Confirm delivery</button>" not in page and f"delivered {now:%Y-%m-%d}" in page
    again = loyalty_client.post(f"/developers/redemptions/{coffee}/deliver", follow_redirects=True)
    assert f"redemption {coffee} was confirmed before" in again.text
    assert loyalty_client.post(f"/developers/redemptions/{coffee + 1}/deliver").status_code == 404
    with sessions() as session:
        sent = session.scalars(select(WebhookDelivery)).all()
    assert sent == []  # no endpoint subscribed: nothing queued
