"""The marketers' pages: rules in words, editing with errors at their lines, preview, analytics."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline import ingest_events
from tests.factories import event_dict
from tests.web.conftest import QUIZ_YAML


def _ingest(app, events) -> None:  # type: ignore[no-untyped-def]
    campaigns = app.extensions["campaigns"].current()
    ingest_events(app.extensions["db_sessions"], campaigns, events, source="t", now=datetime.now(UTC))


def test_the_rules_in_force_in_plain_words(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    page = client.get("/campaigns").text
    assert "<code>quote</code>: 15 points for each quote, at most 5 a day." in page
    assert "<code>connect</code>: 50 points for each linked profile." in page


def test_an_error_is_shown_at_its_line_and_nothing_is_saved(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    broken = QUIZ_YAML.replace("points: 15", "points: lots")
    line = broken.split("\n").index("        points: lots") + 1
    response = client.post("/campaigns/edit", data={"yaml": broken, "action": "save"})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert f'<a href="#L{line}">Line {line}, column 17</a>' in page
    bad = re.search(
        rf'<li id="L{line}" class="bad" value="{line}"><code>(.*?)</code>\s*<span class="why">⚠ (.*?)</span>',
        page,
    )
    assert bad is not None and bad[1].strip() == "points: lots" and "lots" in bad[2]
    assert Path(quiz_app.config["CAMPAIGNS_PATH"]).read_text() == QUIZ_YAML
    assert not Path(quiz_app.config["CAMPAIGNS_PATH"] + ".bak").exists()


def test_saving_a_valid_file_puts_it_in_force_and_keeps_the_old_one(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    changed = QUIZ_YAML.replace("points: 15", "points: 20")
    checked = client.post("/campaigns/edit", data={"yaml": changed, "action": "check"})
    assert "No errors: 1 campaign(s)." in checked.text
    assert Path(quiz_app.config["CAMPAIGNS_PATH"]).read_text() == QUIZ_YAML  # checking saves nothing
    response = client.post("/campaigns/edit", data={"yaml": changed, "action": "save"}, follow_redirects=True)
    assert "20 points for each quote, at most 5 a day." in response.text
    assert Path(quiz_app.config["CAMPAIGNS_PATH"]).read_text() == changed
    assert Path(quiz_app.config["CAMPAIGNS_PATH"] + ".bak").read_text() == QUIZ_YAML


def test_an_uploaded_file_wins_over_the_text_area(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    import io

    login("marketer")
    upload = (io.BytesIO(b"version: 1\ncampaigns: nope\n"), "campaigns.yaml")
    response = client.post(
        "/campaigns/edit",
        data={"yaml": QUIZ_YAML, "action": "check", "file": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and '<a href="#L2">Line 2' in response.text


def test_preview_shows_the_difference_per_campaign_and_per_fan(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    recent = datetime.now(UTC) - timedelta(days=2)
    at = [(recent + timedelta(minutes=m)).isoformat() for m in range(4)]
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    _ingest(
        quiz_app,
        [
            event_dict("quote", at=at[0], actor="1"),
            event_dict("quote", at=at[1], actor="1"),
            event_dict("quote", at=at[2], actor="2"),
            event_dict("quote", at=old, actor="3"),  # outside the 30 days
        ],
    )
    draft = QUIZ_YAML.replace("points: 15", "points: 20")
    page = client.post("/campaigns/preview", data={"yaml": draft}).text
    assert "over the 3 events stored" in page
    row = re.search(r'<th scope="row">quiz</th>(.*?)</tr>', page, re.S)
    assert row is not None
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', row[1]) == ["45", "60", "+15", "2", "2"]
    fans = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>',
        page.split('id="per-fan"')[1],
    )
    assert fans == [("@h1 · X", "30", "40"), ("@h2 · X", "15", "20")]  # profiles no one linked
    assert Path(quiz_app.config["CAMPAIGNS_PATH"]).read_text() == QUIZ_YAML  # a preview changes nothing


def test_preview_of_a_broken_draft_shows_its_errors(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    response = client.post("/campaigns/preview", data={"yaml": QUIZ_YAML.replace("on: quote", "on: quotes")})
    assert response.status_code == 400 and 'class="bad"' in response.text and "quotes" in response.text


def test_analytics_per_rule_per_day(quiz_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    _ingest(
        quiz_app,
        [
            event_dict("quote", at="2026-10-05T10:00:00Z", actor="1"),
            event_dict("quote", at="2026-10-05T11:00:00Z", actor="2"),
            event_dict("quote", at="2026-10-07T09:00:00Z", actor="1"),
            {
                "id": "l1",
                "platform": "web",
                "type": "profile_linked",
                "at": "2026-10-07T10:00:00Z",
                "fan": "f",
                "attrs": {"profile": "x:9"},
            },
        ],
    )
    page = client.get("/campaigns/quiz/analytics?since=2026-10-05&until=2026-10-07").text
    works = page.split('id="works-h"')[1].split("</table>")[0]
    rows = re.findall(
        r'<th scope="row">([^<]*)</th>((?:<td class="num">[^<]*</td>)+)', re.sub(r">\s+<", "><", works)
    )
    parsed = [(name, re.findall(r'<td class="num">([^<]*)</td>', cells)) for name, cells in rows]
    assert parsed == [
        ("rule:connect", ["1", "50", "1", "50.0", "53 %"]),
        ("rule:quote", ["3", "45", "2", "15.0", "47 %"]),
    ]
    points = page.split('id="h-points"')[1].split("</section>")[0]
    assert points.count("<polyline") == 2 and 'role="img"' in points
    table = re.findall(
        r'<tr><th scope="row">(2026-10-0\d)</th><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>',
        points,
    )
    assert table == [("2026-10-05", "0", "30"), ("2026-10-06", "0", "0"), ("2026-10-07", "50", "15")]
    assert client.get("/campaigns/nope/analytics").status_code == 404
