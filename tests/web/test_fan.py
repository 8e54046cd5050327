"""A fan's page: a challenge answered through the engine, the ledger explained, level progress."""

from __future__ import annotations

import html
import json
import re

from pipeline import ingest_events


def _flash(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash [a-z]+" role="status">(.*?)</p>', page)]


def test_a_fan_answers_a_challenge_and_sees_the_ledger_entry(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("fan")
    page = client.get("/me").text
    assert "Which country do the beans come from?" in page and "100 points to Roaster" in page
    wrong = client.post("/me/answer", data={"challenge": "origin", "answer": "Peru"}, follow_redirects=True)
    assert _flash(wrong.text) == [
        "Answer to “Which country do the beans come from?”: wrong answer, no points"
    ]
    right = client.post(
        "/me/answer", data={"challenge": "origin", "answer": " colombia "}, follow_redirects=True
    )
    page = right.text
    assert _flash(page) == ["Correct! You earned 30 points."]
    assert '<span id="balance">30</span>' in page
    assert "70 points to Roaster" in page and 'value="30"' in page  # 30 of the 100 to the next level
    assert "Answer to “Which country do the beans come from?”: 30 points" in html.unescape(page)
    assert 'alt="" width="48"' in page and "First answer" in page  # the badge, with its picture
    assert "No open challenges right now." in page  # solved: no longer offered


def test_an_unknown_challenge_is_refused_and_nothing_is_stored(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("fan")
    page = client.post("/me/answer", data={"challenge": "nope", "answer": "x"}, follow_redirects=True).text
    assert _flash(page) == ["That challenge does not exist."]
    assert "Nothing yet" in page


def test_anonymity_is_the_fans_choice(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    account = login("fan")
    client.post("/me/answer", data={"challenge": "origin", "answer": "Colombia"})
    client.post("/me/anonymous", data={"anonymous": "on"})
    client.post("/logout")
    board = client.get("/c/quiz").text
    assert "Fan" not in re.findall(r'<td class="name">(.*?)</td>', board, re.S)[0]
    assert "Anonymous fan #" in board
    assert account.fan_id is not None


def test_unlinking_a_profile_retracts_the_link(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    account = login("fan")
    from datetime import UTC, datetime

    event = {
        "id": "link-1",
        "platform": "web",
        "type": "profile_linked",
        "at": "2026-10-02T10:00:00Z",
        "fan": account.fan_id,
        "attrs": {"profile": "x:11"},
    }
    ingest_events(
        quiz_app.extensions["db_sessions"],
        quiz_app.extensions["campaigns"].current(),
        [event],
        source="t",
        now=datetime.now(UTC),
    )
    page = client.get("/me").text
    assert "x:11" in page and "Linked your X profile: 50 points" in page
    page = client.post("/me/unlink", data={"profile": "x:11"}, follow_redirects=True).text
    assert "No profiles linked." in page and '<span id="balance">0</span>' in page
    assert "Linked your X profile: retracted, −50 points" in html.unescape(page)
    assert client.post("/me/unlink", data={"profile": "x:11"}).status_code == 404


def test_download_my_data_is_a_json_file(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    account = login("fan")
    client.post("/me/answer", data={"challenge": "origin", "answer": "Colombia"})
    response = client.get("/me/data.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-fanfare-data.json"'
    data = json.loads(response.text)
    assert data["account"]["email"] == "fan@example.org"
    assert "password" not in json.dumps(data["account"])
    assert data["engine"]["fan"]["lifetime_points"] == 30
    assert [(row["challenge"], row["points"]) for row in data["engine"]["ledger"]] == [("origin", 30)]
    assert data["engine"]["events"][0]["attrs"] == {"challenge": "origin", "answer": "Colombia"}
    assert data["engine"]["fan"]["id"] == account.fan_id


def test_deleting_needs_the_password_and_the_tick(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("fan")
    page = client.post(
        "/me/delete", data={"password": "wrong one", "confirm": "on"}, follow_redirects=True
    ).text
    assert "was not deleted" in page
    page = client.post("/me/delete", data={"password": "password-1234"}, follow_redirects=True).text
    assert "was not deleted" in page
    page = client.post(
        "/me/delete", data={"password": "password-1234", "confirm": "on"}, follow_redirects=True
    )
    assert "Your account and your personal data are deleted." in page.text
    assert client.get("/me").status_code == 302  # logged out
    assert (
        client.post("/login", data={"email": "fan@example.org", "password": "password-1234"}).status_code
        == 400
    )


def _give(app, fan: str, points: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from storage.db import transaction
    from storage.models.core import Fan

    with transaction(app.extensions["db_sessions"]) as session:
        session.execute(update(Fan).where(Fan.id == fan).values(lifetime_points=points))


def _redeem(client, reward: str, key: str) -> str:  # type: ignore[no-untyped-def]
    page = client.post("/me/redeem", data={"reward": reward, "request_key": key}, follow_redirects=True)
    return page.text


def test_a_fan_redeems_rewards_and_refusals_say_why(loyalty_app, loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from storage.redemptions import confirm_delivery

    fan = loyalty_login("fan").fan_id
    _give(loyalty_app, fan, 45)
    page = loyalty_client.get("/me").text
    # coffee 20 and sticker 5 within reach, the scarf (30) too; nothing redeemed yet
    assert page.count('name="reward"') == 3 and "You have not redeemed a reward yet." in page
    assert _flash(_redeem(loyalty_client, "coffee", "k1")) == ["You redeemed Free coffee. 25 points left."]
    page = _redeem(loyalty_client, "coffee", "k1")  # the same form sent twice redeems once
    assert '<span id="balance">25</span>' in page
    assert _flash(_redeem(loyalty_client, "coffee", "k2")) == ["You redeemed Free coffee. 5 points left."]
    assert _flash(_redeem(loyalty_client, "coffee", "k3")) == [
        "Limit reached: Free coffee can be redeemed 2 times per fan."
    ]
    assert _flash(_redeem(loyalty_client, "scarf", "k4")) == [
        "Not enough points: Club scarf costs 30, you have 5."
    ]
    page = loyalty_client.get("/me").text
    assert page.count('name="reward"') == 1  # only the sticker is still affordable
    assert re.findall(r"<td>(requested|delivered)</td>", page) == ["requested", "requested"]
    with loyalty_app.extensions["db_sessions"].begin() as session:
        confirm_delivery(session, "acme-shop", 1, datetime.now(UTC))
    page = loyalty_client.get("/me").text
    assert re.findall(r"<td>(requested|delivered)</td>", page) == ["requested", "delivered"]  # newest first
    assert loyalty_client.post("/me/redeem", data={"reward": "tv", "request_key": "k5"}).status_code == 404


def test_a_sold_out_reward_is_refused_in_words(loyalty_app, loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    from storage.db import transaction
    from storage.models.gamification import RewardCounter

    fan = loyalty_login("fan").fan_id
    _give(loyalty_app, fan, 100)
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        session.add(RewardCounter(reward_id="coffee", redeemed=5))  # the stock of 5 is gone
    assert _flash(_redeem(loyalty_client, "coffee", "k1")) == ["Free coffee is out of stock."]
    assert '<span id="balance">100</span>' in loyalty_client.get("/me").text


def test_the_claim_form_on_the_fan_s_page_claims_a_code(loyalty_app, loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from loyalty import claim_codes
    from storage.db import transaction
    from storage.models.loyalty import Partner
    from tests.loyalty_fixtures import make_partner

    make_partner(loyalty_app)
    loyalty_login("fan")
    page = loyalty_client.get("/me").text
    assert 'action="/me/claim"' in page and 'name="code"' in page
    now = datetime.now(UTC)
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        partner = session.scalars(select(Partner)).one()
        code = claim_codes.issue(session, partner, 1, now + timedelta(days=30), now, value=15)[0]
    claimed = loyalty_client.post("/me/claim", data={"code": code})
    assert claimed.status_code == 200 and "15 points for you" in claimed.text


def test_linked_profiles_show_platform_and_handle_not_the_key(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    fan = login("fan").fan_id
    links = [
        {"id": f"link-{n}", "platform": "web", "type": "profile_linked", "at": f"2026-10-02T10:0{n}:00Z"}
        | {"fan": fan, "attrs": {"profile": profile}}
        for n, profile in enumerate(["x:11", "mastodon:lena@mastodon.example", "x:12"])
    ]
    posts = [  # the handle a profile goes by is the one its newest event names
        {"id": f"rt-{n}", "platform": "x", "type": "retweet", "at": f"2026-10-03T10:0{n}:00Z"}
        | {"actor": {"id": "11", "handle": handle}, "post": {"id": "1", "author": "acme"}}
        for n, handle in enumerate(["anna_old", "anna_x"])
    ]
    app = quiz_app
    campaigns = app.extensions["campaigns"].current()
    ingest_events(app.extensions["db_sessions"], campaigns, links + posts, source="t", now=datetime.now(UTC))
    page = html.unescape(client.get("/me").text)
    listed = re.findall(r'<span class="platform">(.*?)</span> (.*?)</span>', page)
    assert listed == [("X", "@anna_x"), ("Mastodon", "@lena@mastodon.example"), ("X", "12")]
    page = client.post("/me/unlink", data={"profile": "x:11"}, follow_redirects=True).text
    assert _flash(page) == ["Your X profile @anna_x is unlinked."]
