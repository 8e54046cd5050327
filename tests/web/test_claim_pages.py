"""Claim codes over HTTP: a partner's tablet shows a QR, a fan arrives by it and claims."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from loyalty.partners import NewPartner, approve, create_partner, owned_by
from storage.db import transaction


def _partner_login(app, client, login) -> None:  # type: ignore[no-untyped-def]
    account = login("partner", "desk@acme.example")
    with transaction(app.extensions["db_sessions"]) as session:
        create_partner(
            session,
            NewPartner("acme-shop", "Acme Shop", "shop", "desk@acme.example", ("acme-autumn",)),
            datetime.now(UTC),
            owner_user_id=account.id,
        )
        approve(session, "acme-shop", datetime.now(UTC))
        assert owned_by(session, account.id) is not None


def test_tablet_qr_leads_a_fan_to_the_points(loyalty_app, loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    _partner_login(loyalty_app, loyalty_client, loyalty_login)
    page = loyalty_client.post("/developers/codes/tablet", data={"count": 1, "days": 1, "value": 40}).text
    assert "<svg" in page
    code = re.search(r"enter <strong>([2-9A-Z]{5}-[2-9A-Z]{5})</strong>", page)[1]  # type: ignore[index]
    url = html.unescape(re.search(r"/me/claim\?code=[^\"<]+", page)[0])  # type: ignore[index]
    loyalty_client.post("/logout")
    loyalty_login("fan")
    assert f'value="{code}"' in loyalty_client.get(url).text
    claimed = loyalty_client.post("/me/claim", data={"code": code})
    assert claimed.status_code == 200 and "Acme Shop: 40 points for you." in claimed.text
    again = loyalty_client.post("/me/claim", data={"code": code})
    assert again.status_code == 400 and "used already" in again.text


def test_printed_codes_are_listed_once(loyalty_app, loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    _partner_login(loyalty_app, loyalty_client, loyalty_login)
    page = loyalty_client.post("/developers/codes", data={"count": 3, "days": 10}).text
    assert len(re.findall(r"<code>[2-9A-Z]{5}-[2-9A-Z]{5}</code>", page)) == 3
    assert "<code>" not in loyalty_client.get("/developers/codes").text


def test_the_cli_prints_codes(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    runner = loyalty_app.test_cli_runner()
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        create_partner(session, NewPartner("acme-shop", "Acme", "shop", "a@example.org"), datetime.now(UTC))
    result = runner.invoke(args=["codes", "issue", "acme-shop", "--count", "2", "--value", "5"])
    assert result.exit_code == 0 and len(re.findall(r"^[2-9A-Z]{5}-[2-9A-Z]{5}$", result.output, re.M)) == 2


def test_a_partner_subscribes_a_webhook_and_sees_its_log(loyalty_app, loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    _partner_login(loyalty_app, loyalty_client, loyalty_login)
    page = loyalty_client.post(
        "/developers/webhooks", data={"url": "https://acme.example/hooks", "kinds": ["points.credited"]}
    ).text
    secret = page.split('<pre class="card secret">')[1].split("</pre>")[0]
    assert secret.startswith("whsec_")
    again = loyalty_client.get("/developers/webhooks").text
    assert "https://acme.example/hooks" in again and secret not in again
    refused = loyalty_client.post(
        "/developers/webhooks", data={"url": "ftp://x", "kinds": ["points.credited"]}
    )
    assert refused.status_code == 400
