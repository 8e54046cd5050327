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
