"""/l/<code> counts click-backs and redirects; a fan makes and sees their links; the CLI lists counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from connectors.tracked_links import issue_link, link_clicks
from storage.db import transaction
from storage.models.core import Fan

TARGET = "https://acme.example/autumn"


def _fan(app, fan_id: str = "fan-ada") -> str:  # type: ignore[no-untyped-def]
    with transaction(app.extensions["db_sessions"]) as session:
        session.add(Fan(id=fan_id, kind="account", display_name="Ada", created_at=datetime.now(UTC)))
        return issue_link(session, fan_id, "autumn", TARGET, datetime.now(UTC)).code


def test_following_a_link_redirects_and_counts_each_visitor_once_a_day(app, client, runner) -> None:  # type: ignore[no-untyped-def]
    code = _fan(app)
    first = client.get(f"/l/{code}", headers={"User-Agent": "Firefox"})
    assert (first.status_code, first.headers["Location"]) == (302, TARGET)
    assert first.headers["Referrer-Policy"] == "no-referrer" and first.headers["Cache-Control"] == "no-store"
    client.get(f"/l/{code}", headers={"User-Agent": "Firefox"})
    client.get(f"/l/{code}", headers={"User-Agent": "Safari"})
    assert client.get("/l/not-a-code").status_code == 404
    listed = runner.invoke(args=["connectors", "links", "--campaign", "autumn"])
    assert listed.output.splitlines() == [
        f"{code}  fan-ada  autumn  2 click-back(s)  -> {TARGET}",
        "fan fan-ada: 2 click-back(s)",
        "campaign autumn: 2 click-back(s)",
    ]
    assert runner.invoke(args=["connectors", "links", "--campaign", "spring"]).output == (
        "no tracked links in campaign 'spring'\n"
    )


def test_the_cli_issues_a_link_for_a_fan(app, runner) -> None:  # type: ignore[no-untyped-def]
    _fan(app)
    made = runner.invoke(args=["connectors", "issue-link", "fan-ada", "autumn", TARGET])
    assert made.exit_code == 0 and re.fullmatch(r"/l/[A-Za-z0-9_-]{16}\n", made.output), made.output
    refused = runner.invoke(args=["connectors", "issue-link", "fan-nobody", "autumn", TARGET])
    assert refused.exit_code == 1 and "no fan 'fan-nobody'" in refused.output


def test_a_fan_makes_a_link_for_a_campaign_with_content_and_sees_its_click_backs(app, client, login) -> None:  # type: ignore[no-untyped-def]
    app.config["TRACKED_LINK_TARGETS"] = {"autumn": TARGET}
    app.config["TRACKED_LINK_BASE"] = "https://acme.example/s/"
    account = login("fan")
    assert client.post("/me/links", data={"campaign": "autumn"}).status_code == 302
    assert client.post("/me/links", data={"campaign": "elsewhere"}).status_code == 400  # no target of its own
    page = client.get("/me/links").text
    code = re.search(r"https://acme\.example/s/([A-Za-z0-9_-]{16})", page)[1]  # type: ignore[index]
    client.get(f"/l/{code}", headers={"User-Agent": "Firefox"})
    page = client.get("/me/links").text
    assert f"<td>{TARGET}</td><td>1</td>" in page.replace("\n", "").replace("  ", "")
    with app.extensions["db_sessions"]() as session:
        assert [(r.campaign_id, r.clicks) for r in link_clicks(session, fan_id=account.fan_id)] == [
            ("autumn", 1)
        ]
