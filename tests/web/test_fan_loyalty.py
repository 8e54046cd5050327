"""A fan's loyalty pages over HTTP."""

from __future__ import annotations

import email
import email.policy
import logging
import re

from loyalty.identities import resolve


def test_a_fan_confirms_an_e_mail_through_the_link_in_the_outbox(
    app, client, login, caplog, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    account = login("fan")
    with caplog.at_level(logging.DEBUG):
        response = client.post("/me/identities", data={"kind": "email", "value": "Fan@Example.org"})
    assert response.status_code == 200 and "waiting for confirmation" in response.text
    (written,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Fan@Example.org" and "Confirm your e-mail address" in message["Subject"]
    (link,) = re.findall(r"http://localhost/me/identities/confirm/\S+", message.get_content())
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "written to the outbox" in logged
    assert (
        link.rsplit("/", 1)[1] not in logged and "fan@example.org" not in logged.lower()
    )  # secrets stay out
    assert client.get(link.replace("http://localhost", "")).status_code == 302
    assert "confirmed" in client.get("/me/identities").text
    with app.extensions["db_sessions"]() as session:
        assert resolve(session, "email", "fan@example.org") == account.fan_id


def test_a_bad_link_is_refused(client, login) -> None:  # type: ignore[no-untyped-def]
    login("fan")
    assert client.get("/me/identities/confirm/not-a-token").status_code == 400
