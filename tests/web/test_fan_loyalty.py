"""A fan's loyalty pages over HTTP."""

from __future__ import annotations

import logging

from loyalty.identities import resolve


def test_a_fan_confirms_an_e_mail_through_the_logged_link(app, client, login, caplog) -> None:  # type: ignore[no-untyped-def]
    account = login("fan")
    with caplog.at_level(logging.INFO, logger="fanfare.identities"):
        response = client.post("/me/identities", data={"kind": "email", "value": "Fan@Example.org"})
    assert response.status_code == 200 and "waiting for confirmation" in response.text
    link = [r for r in caplog.records if r.name == "fanfare.identities"][-1].getMessage().rsplit(" ", 1)[1]
    assert client.get(link.replace("http://localhost", "")).status_code == 302
    assert "confirmed" in client.get("/me/identities").text
    with app.extensions["db_sessions"]() as session:
        assert resolve(session, "email", "fan@example.org") == account.fan_id


def test_a_bad_link_is_refused(client, login) -> None:  # type: ignore[no-untyped-def]
    login("fan")
    assert client.get("/me/identities/confirm/not-a-token").status_code == 400
