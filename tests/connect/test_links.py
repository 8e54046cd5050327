"""Connect end to end against the sandbox provider: PKCE, encrypted tokens, one
`profile_linked` per profile, unlinking stops attribution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import select

from pipeline import ingest_events
from storage.models.connect import ConnectedAccount
from storage.models.core import StoredEvent


def _link(client, platform: str):  # type: ignore[no-untyped-def]
    """Walk the browser's part: our start, the provider's approval, our callback."""
    start = client.get(f"/connect/{platform}/start")
    assert start.status_code == 302
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    if platform == "x":
        assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    approved = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(approved.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def _fan_of(app, event_id: str) -> str | None:  # type: ignore[no-untyped-def]
    with app.extensions["db_sessions"]() as session:
        return session.get(StoredEvent, event_id).fan_id  # type: ignore[union-attr]


def _retweet(app, id: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    event = {
        "id": id,
        "platform": "x",
        "type": "retweet",
        "at": at.isoformat(),
        "actor": {"id": "2244994945", "handle": "fan_anna"},
        "post": {"id": "1", "author": "acme"},
    }
    campaigns = app.extensions["campaigns"].current()
    ingest_events(app.extensions["db_sessions"], campaigns, [event], source="test", now=at)


def test_linking_x_with_pkce_stores_encrypted_tokens_and_links_once(
    loyalty_app, loyalty_client, loyalty_login, provider
) -> None:  # type: ignore[no-untyped-def]
    fan = loyalty_login("fan").fan_id
    linked = _link(loyalty_client, "x")
    assert linked.headers["Location"] == "/me#profiles-h"  # the fan's page lists linked profiles
    assert _link(loyalty_client, "x").status_code == 302  # again: tokens refreshed, no second event
    with loyalty_app.extensions["db_sessions"]() as session:
        row = session.scalars(select(ConnectedAccount)).one()
        events = session.scalars(select(StoredEvent.id).where(StoredEvent.type == "profile_linked")).all()
    assert (row.fan_id, row.platform, row.user_id, row.handle) == (fan, "x", "2244994945", "fan_anna")
    issued = provider.extensions["issued"]
    assert row.access_token_enc not in issued
    assert loyalty_app.extensions["token_cipher"].decrypt(row.access_token_enc) in issued
    assert row.refresh_token_enc is not None and row.expires_at is not None
    assert events == [f"profile_linked:{fan}:x:2244994945"]
    with loyalty_app.extensions["db_sessions"]() as session:  # to the second, as platforms date posts
        assert session.get(StoredEvent, events[0]).at.microsecond == 0  # type: ignore[union-attr]
    page = loyalty_client.get("/connect/", follow_redirects=True).text
    assert "Your X profile @fan_anna is linked." in page
    assert '<span class="platform">X</span> @fan_anna' in page


def test_unlinking_stops_attribution_and_forgets_the_tokens(
    loyalty_app, loyalty_client, loyalty_login, provider
) -> None:  # type: ignore[no-untyped-def]
    fan = loyalty_login("fan").fan_id
    _link(loyalty_client, "x")
    _retweet(loyalty_app, "rt-1", datetime.now(UTC) + timedelta(seconds=1))
    assert _fan_of(loyalty_app, "rt-1") == fan
    assert loyalty_client.post("/connect/x/unlink").status_code == 302
    _retweet(loyalty_app, "rt-2", datetime.now(UTC) + timedelta(seconds=2))
    assert _fan_of(loyalty_app, "rt-2") == "x:2244994945"
    with loyalty_app.extensions["db_sessions"]() as session:
        assert session.scalars(select(ConnectedAccount)).all() == []
        linked = session.get(StoredEvent, f"profile_linked:{fan}:x:2244994945")
        assert linked is not None and linked.retracted_by == f"unlink:profile_linked:{fan}:x:2244994945"
    assert loyalty_client.post("/connect/x/unlink").status_code == 404


def test_facebook_login_links_by_the_code_flow(loyalty_app, loyalty_client, loyalty_login, provider) -> None:  # type: ignore[no-untyped-def]
    fan = loyalty_login("fan").fan_id
    assert _link(loyalty_client, "facebook").status_code == 302
    with loyalty_app.extensions["db_sessions"]() as session:
        row = session.scalars(select(ConnectedAccount)).one()
        assert (row.platform, row.user_id, row.handle, row.refresh_token_enc) == (
            "facebook",
            "10158",
            "Anna K.",
            None,
        )
        assert session.get(StoredEvent, f"profile_linked:{fan}:facebook:10158") is not None


def test_a_forged_or_stale_answer_links_nothing(loyalty_app, loyalty_client, loyalty_login, provider) -> None:  # type: ignore[no-untyped-def]
    loyalty_login("fan")
    start = loyalty_client.get("/connect/x/start")
    approved = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(approved.headers["Location"])
    forged = back.query.replace("state=", "state=x")
    assert loyalty_client.get(f"{back.path}?{forged}").status_code == 400
    assert loyalty_client.get(f"{back.path}?{back.query}").status_code == 400  # the state was used up
    with loyalty_app.extensions["db_sessions"]() as session:
        assert session.scalars(select(ConnectedAccount)).all() == []


def test_another_fan_cannot_take_a_linked_profile(
    loyalty_app, loyalty_client, loyalty_login, provider
) -> None:  # type: ignore[no-untyped-def]
    loyalty_login("fan", "anna@example.org")
    _link(loyalty_client, "x")
    loyalty_client.post("/logout")
    loyalty_login("fan", "ben@example.org")
    response = _link(loyalty_client, "x")
    assert response.status_code == 400 and "linked to another Fanfare account" in response.text


def test_an_unconfigured_platform_is_not_offered(loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    loyalty_login("fan")
    assert loyalty_client.get("/connect/x/start").status_code == 404
    assert "Link your" not in loyalty_client.get("/connect/").text


def test_the_fan_s_page_offers_linking_and_unlinks_through_connect(
    loyalty_app, loyalty_client, loyalty_login, provider
) -> None:  # type: ignore[no-untyped-def]
    loyalty_login("fan")
    page = loyalty_client.get("/me").text
    assert 'href="/connect/x/start"' in page and 'href="/connect/facebook/start"' in page
    _link(loyalty_client, "x")
    page = loyalty_client.get("/me").text
    assert "x:2244994945" in page  # listed with its unlink button
    assert 'href="/connect/x/start"' not in page and 'href="/connect/facebook/start"' in page
    assert loyalty_client.post("/me/unlink", data={"profile": "x:2244994945"}).status_code == 302
    with loyalty_app.extensions["db_sessions"]() as session:
        assert session.scalars(select(ConnectedAccount)).all() == []  # the tokens went too
    page = loyalty_client.get("/me").text
    assert "No profiles linked." in page and 'href="/connect/x/start"' in page
