"""A NUL character in any input is refused up front (PostgreSQL text cannot hold it)."""

from __future__ import annotations

import pytest

from tests.loyalty_fixtures import CAMPAIGNS, call, make_fan, make_partner
from tests.web.fuzz_support import database_url, make_app, snapshot


@pytest.fixture(params=["sqlite", "postgres"])
def guarded_app(request, tmp_path):  # type: ignore[no-untyped-def]
    campaigns = tmp_path / "campaigns.yaml"
    campaigns.write_text(CAMPAIGNS)
    for url in database_url(request, tmp_path):
        app = make_app(url, tmp_path, {"CAMPAIGNS_PATH": str(campaigns), "WTF_CSRF_ENABLED": False})
        yield app
        app.extensions["db_engine"].dispose()


def test_a_nul_in_a_url_or_a_form_is_a_400_not_a_server_error(guarded_app) -> None:  # type: ignore[no-untyped-def]
    # Found by the forms fuzzer on PostgreSQL: /connect/%00/unlink failed inside a query.
    make_fan(guarded_app)
    client = guarded_app.test_client()
    assert (
        client.post("/login", data={"email": "anna@example.org", "password": "password-1234"}).status_code
        == 302
    )
    before = snapshot(guarded_app.extensions["db_engine"])
    unlink = client.post("/connect/%00/unlink")
    assert unlink.status_code == 400 and "NUL" in unlink.text
    claim = client.post("/me/claim", data={"code": "AB\x00CD"})
    assert claim.status_code == 400
    assert client.get("/me/claim?x=%00").status_code == 400
    assert snapshot(guarded_app.extensions["db_engine"]) == before


def test_a_nul_in_an_api_body_is_a_json_400_and_credits_nothing(guarded_app) -> None:  # type: ignore[no-untyped-def]
    keys, fan = make_partner(guarded_app), make_fan(guarded_app)
    client = guarded_app.test_client()
    before = snapshot(guarded_app.extensions["db_engine"])
    body = {"fan": {"id": fan}, "order": "A-\u00001", "amount": "12.50", "currency": "EUR"}
    response = call(client, keys["live"], "POST", "/api/v1/purchases", body, idem="k1")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_text"
    assert snapshot(guarded_app.extensions["db_engine"]) == before
    nested = {"fan": {"id": fan}, "order": "A-2", "amount": "1", "currency": "EUR", "x": [{"\x00": 1}]}
    assert call(client, keys["live"], "POST", "/api/v1/purchases", nested, idem="k2").status_code == 400
    good = call(client, keys["live"], "POST", "/api/v1/purchases", body | {"order": "A-1"}, idem="k3")
    assert good.status_code == 201 and good.json["points"] == 25
