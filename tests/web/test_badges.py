"""Open Badges: a hosted 2.0 assertion a backpack can verify, and a signed 3.0 credential."""

from __future__ import annotations

import hashlib
import json

import jwt
import pytest
from flask import Flask
from jwt.algorithms import RSAAlgorithm


@pytest.fixture
def app(seeded_app: Flask) -> Flask:
    """This module runs on the seeded app."""
    return seeded_app


BASE = "https://fanfare.example"
OB2 = "https://w3id.org/openbadges/v2"


def export(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["badge", "export", *args])
    return result.exit_code, result.output


def fetch(app: Flask, url: str) -> dict:
    """What a backpack does: GET the document's id URL (on this app)."""
    assert url.startswith(BASE)
    response = app.test_client().get(url.removeprefix(BASE))
    assert response.status_code == 200, url
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.get_data(as_text=True))


def test_an_exported_assertion_verifies_through_its_hosted_badge_and_issuer(app: Flask) -> None:
    code, out = export(app, "x:1", "c", "first", "--email", " Anna@Example.COM ")
    assert code == 0, out
    exported = json.loads(out)
    hosted = fetch(app, exported["id"])
    assert hosted == exported
    for key in ("@context", "type", "id", "recipient", "badge", "verification", "issuedOn"):
        assert key in hosted
    assert (hosted["@context"], hosted["type"], hosted["verification"]) == (
        OB2,
        "Assertion",
        {"type": "hosted"},
    )
    assert hosted["issuedOn"] == "2026-12-01T09:00:00+00:00"  # when the badge was earned
    recipient = hosted["recipient"]
    expected = "sha256$" + hashlib.sha256(("anna@example.com" + recipient["salt"]).encode()).hexdigest()
    assert (recipient["type"], recipient["hashed"], recipient["identity"]) == ("email", True, expected)
    assert len(recipient["salt"]) == 32

    badge = fetch(app, hosted["badge"])
    assert (badge["@context"], badge["type"], badge["id"]) == (OB2, "BadgeClass", hosted["badge"])
    assert (badge["name"], badge["description"]) == ("First retweet", "Retweeted us once")
    assert badge["criteria"] == {"narrative": "1 times retweet in the campaign Cup."}
    image = app.test_client().get(badge["image"].removeprefix(BASE))
    assert image.mimetype == "image/svg+xml" and b"<title>First retweet" in image.data

    issuer = fetch(app, badge["issuer"])
    assert (issuer["@context"], issuer["type"], issuer["id"], issuer["name"]) == (
        OB2,
        "Issuer",
        f"{BASE}/badges/issuer.json",
        "Fanfare",
    )
    assert issuer["url"] == BASE


def test_exporting_again_returns_the_same_assertion(app: Flask) -> None:
    first = json.loads(export(app, "x:1", "c", "first", "--email", "anna@example.com")[1])
    again = json.loads(export(app, "x:1", "c", "first", "--email", "ANNA@example.com")[1])
    other = json.loads(export(app, "x:1", "c", "first", "--email", "anna@work.example")[1])
    assert first == again and other["id"] != first["id"]


def test_a_rank_badge_has_criteria_and_no_event(app: Flask) -> None:
    hosted = json.loads(export(app, "x:1", "c", "top", "--url", "https://anna.example")[1])
    assert hosted["recipient"]["type"] == "url" and hosted["issuedOn"] == "2026-12-01T23:00:00+00:00"
    badge = fetch(app, hosted["badge"])
    assert badge["criteria"]["narrative"] == (
        "Rank 1 on the daily leaderboard when a period closed, in the campaign Cup."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x:2", "c", "top", "--email", "b@example.com"], "x:2 has not earned c/top"),
        (["x:1", "c", "nope", "--email", "a@example.com"], "no badge c/nope"),
        (["x:1", "c", "first", "--email", "not-an-address"], "is not an email address"),
        (["x:1", "c", "first"], "give exactly one recipient"),
    ],
)
def test_what_cannot_be_exported_says_why(app: Flask, args: list[str], message: str) -> None:
    code, out = export(app, *args)
    assert code != 0 and message in out


def test_the_signed_credential_verifies_with_the_published_key(app: Flask) -> None:
    code, token = export(app, "x:1", "c", "first", "--email", "anna@example.com", "--format", "ob3")
    assert code == 0
    token = token.strip()
    keys = fetch(app, f"{BASE}/badges/jwks.json")["keys"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"] == keys[0]["kid"] == f"{BASE}/badges/jwks.json#key-1"
    public = RSAAlgorithm.from_jwk(json.dumps(keys[0]))
    # the test events lie in December 2026, possibly after today's clock: nbf is checked by value
    later = {"verify_nbf": False}
    claims = jwt.decode(token, public, algorithms=["RS256"], options=later)
    assert claims["nbf"] == 1796115600  # 2026-12-01T09:00:00Z
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["iss"] == claims["issuer"]["id"] == f"{BASE}/badges/issuer.json"
    assert claims["credentialSubject"]["achievement"]["id"] == f"{BASE}/badges/c/first.json"
    assert claims["validFrom"] == "2026-12-01T09:00:00+00:00"
    identifier = claims["credentialSubject"]["identifier"][0]
    assert identifier["identityHash"] == claims["sub"]
    assert (
        claims["sub"]
        == "sha256$" + hashlib.sha256(("anna@example.com" + identifier["salt"]).encode()).hexdigest()
    )
    served = app.test_client().get(f"/badges/assertions/{claims['jti'].removeprefix('urn:uuid:')}.jwt")
    assert (
        jwt.decode(served.get_data(as_text=True), public, algorithms=["RS256"], options=later)["jti"]
        == (claims["jti"])
    )
    tampered = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, public, algorithms=["RS256"], options=later)


def test_unknown_assertions_and_badges_are_not_found(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/badges/assertions/nope.json").status_code == 404
    assert client.get("/badges/c/nope.json").status_code == 404
    assert client.get("/badges/c/nope.svg").status_code == 404


def _fan_login(app: Flask, fan_id: str, email: str):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from accounts.roles import Role
    from accounts.service import create_user
    from storage.db import transaction

    with transaction(app.extensions["db_sessions"]) as session:
        create_user(session, email, "password-1234", Role.FAN, "Fan", datetime.now(UTC), fan_id=fan_id)
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": "password-1234"}).status_code == 302
    return client


def test_a_fan_takes_an_earned_badge_along_from_their_page(app: Flask) -> None:
    import re

    app.config.update(WTF_CSRF_ENABLED=False)
    client = _fan_login(app, "x:1", "Anna@Example.com")
    assert "Take it along (Open Badges)" in client.get("/me").text
    page = client.post("/badges/export", data={"campaign": "c", "badge": "first"})
    assert page.status_code == 200
    url = re.search(r'id="assertion" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    assertion = fetch(app, url)
    salt = assertion["recipient"]["salt"]
    expected = "sha256$" + hashlib.sha256(("anna@example.com" + salt).encode()).hexdigest()
    assert assertion["recipient"] == {"type": "email", "hashed": True, "salt": salt, "identity": expected}
    assert "anna@example.com" not in json.dumps(assertion)
    again = client.post("/badges/export", data={"campaign": "c", "badge": "first"})
    assert url in again.text  # the same export, not a second assertion


def test_a_fan_cannot_export_a_badge_they_did_not_earn(app: Flask) -> None:
    app.config.update(WTF_CSRF_ENABLED=False)
    client = _fan_login(app, "x:2", "ben@example.com")  # second on 1 December: never top of a day
    assert client.post("/badges/export", data={"campaign": "c", "badge": "top"}).status_code == 404
    assert client.post("/badges/export", data={"campaign": "c", "badge": "nope"}).status_code == 404
