"""The brand-listening page: volume and mood per day, spikes highlighted and explained, tops."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from engine.rules.registry import CampaignRegistry
from storage.db import transaction
from storage.models.monitoring import ListeningDay, ListeningTerm
from tests.web.community_seed import COMMUNITY_YAML

LAST = date(2026, 10, 31)
SPIKE = date(2026, 10, 30)


@pytest.fixture
def listening_app(app, tmp_path):  # type: ignore[no-untyped-def]
    """Four weeks of 1 or 2 negative mentions a day, then 7 on 30 October (all campaigns)."""
    path = tmp_path / "campaigns.yaml"
    path.write_text(COMMUNITY_YAML, encoding="utf-8")
    app.extensions["campaigns"] = CampaignRegistry(path, interval=0)
    with transaction(app.extensions["db_sessions"]) as session:
        for n in range(31):
            day = LAST - timedelta(days=30 - n)
            if day == SPIKE:
                figures = {"mentions": 15, "positive": 6, "neutral": 2, "negative": 7}
            else:
                negative = 1 + n % 2
                figures = {"mentions": 10, "positive": 6, "neutral": 4 - negative, "negative": negative}
            session.add(ListeningDay(campaign="", day=day, **figures))
        session.add(ListeningDay(campaign="derby", day=LAST, mentions=3, positive=3, neutral=0, negative=0))
        for kind, term, count in (
            ("author", "x:anna", 4),
            ("author", "x:<b>ben</b>", 2),
            ("hashtag", "derby", 9),
            ("topic", "espresso", 5),
            ("topic", "coffee", 5),
        ):
            session.add(ListeningTerm(campaign="", day=SPIKE, kind=kind, term=term, count=count))
        session.add(
            ListeningTerm(campaign="", day=LAST - timedelta(days=20), kind="topic", term="old", count=50)
        )
        session.add(ListeningTerm(campaign="derby", day=LAST, kind="author", term="x:anna", count=3))
    return app


def _rows(page: str) -> list[tuple[str, ...]]:
    table = page.split('<table class="data" id="days">', 1)[1].split("</table>", 1)[0]
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        out.append(
            tuple(
                re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
            )
        )
    return out


def _top(page: str, key: str) -> list[tuple[str, str]]:
    table = page.split(f'<table class="data" id="top-{key}">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr><th scope="row">(.*?)</th><td class="num">(\d+)</td></tr>', table)


def test_days_spike_and_tops_for_all_campaigns(listening_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/listening?until=2026-10-31&days=7").text
    rows = _rows(page)
    assert [r[0] for r in rows] == [f"2026-10-{d}" for d in range(25, 30)] + [
        "2026-10-30 Negative spike",
        "2026-10-31",
    ]
    # 25 October is the 25th of the 31 days (n = 24): 1 negative; the spike day 7
    assert rows[0][1:] == ("10", "6", "3", "1", "60 %", "10 %")
    assert rows[1][1:] == ("10", "6", "2", "2", "60 %", "20 %")
    assert rows[5][1:] == ("15", "6", "2", "7", "40 %", "47 %")
    assert "75 mentions in 7 days" in page
    note = re.search(r"<strong>2026-10-30</strong>: (.*?)</li>", page)
    assert note is not None and note[1] == (
        "7 negative mentions; the 14 days before had 1.5 a day on average, "
        "so more than 3.0 (and at least 5) counts as a spike."
    )
    assert page.count('<rect class="highlight"') == 2  # in both charts, on the spike day
    assert "Negative spike: 2026-10-30." in page  # the charts' descriptions say it too
    assert _top(page, "authors") == [("@anna · X", "4"), ("@&lt;b&gt;ben&lt;/b&gt; · X", "2")]  # escaped
    assert _top(page, "hashtags") == [("#derby", "9")]
    assert _top(page, "topics") == [("coffee", "5"), ("espresso", "5")]  # 'old' is before the 7 days


def test_one_campaign_and_a_quiet_period(listening_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/listening?until=2026-10-31&days=7&campaign=derby").text
    assert '<option value="derby" selected>Derby day</option>' in page
    assert [r[1] for r in _rows(page)] == ["0"] * 6 + ["3"]
    assert "Negative spikes" not in page and 'class="highlight"' not in page
    assert _top(page, "authors") == [("@anna · X", "3")]
    assert "3 mentions in 7 days" in page


def test_unknown_choices_fall_back(listening_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/listening?until=junk&days=5&campaign=nope").text
    assert len(_rows(page)) == 14
    assert '<option value="14" selected>14</option>' in page
    assert '<option value="derby" selected>' not in page and '<option value="coffee" selected>' not in page


@pytest.mark.parametrize("role", ["fan", "marketer"])
def test_other_roles_are_refused(listening_app, client, login, role) -> None:  # type: ignore[no-untyped-def]
    login(role)
    assert client.get("/listening").status_code == 403


def test_the_page_speaks_german(listening_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/listening?until=2026-10-31&days=7", headers={"Accept-Language": "de"}).text
    assert "<h1>Markenbeobachtung</h1>" in page and "75 Erwähnungen in 7 Tagen" in page
    assert (
        "7 negative Erwähnungen; in den 14 Tagen davor waren es im Schnitt 1.5 am Tag, "
        "daher gilt mehr als 3.0 (und mindestens 5) als Ausschlag."
    ) in page
    assert '2026-10-30 <span class="error">Negativer Ausschlag</span>' in page
