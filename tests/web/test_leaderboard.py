"""The public leaderboard pages: names, anonymity, badges, my rank, search, pages."""

from __future__ import annotations

import re

import pytest

from storage.db import transaction
from storage.models.accounts import User
from storage.models.core import Fan
from tests.web.seed import add_fan, grant
from web.boards import anonymous_number


@pytest.fixture
def board(app):  # type: ignore[no-untyped-def]
    with transaction(app.extensions["db_sessions"]) as session:
        add_fan(session, "f-ada", "Ada <b>", 50, minutes=1, level="Roaster")
        add_fan(session, "f-dee", "Dee Secret", 20, anonymous=True)
        add_fan(session, "f-bob", "Bob", 10)
        grant(session, "f-ada", "first-words", seq=1)
    return app


def _names(html: str) -> list[str]:
    cells = re.findall(r'<td class="name">(.*?)</td>', html, re.S)
    cells = [re.sub(r'<span class="level-inline">.*?</span>', "", cell) for cell in cells]
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def _levels(html: str) -> tuple[list[str], list[str]]:
    """The level column, and the levels repeated under the names (shown instead on phones)."""
    column = re.findall(r'<td class="level">(.*?)</td>', html)
    under = [
        re.search(r'<span class="level-inline">(.*?)</span>', c)
        for c in re.findall(r'<td class="name">(.*?)</td>', html, re.S)
    ]
    return column, [m.group(1) if m else "" for m in under]


def test_the_board_lists_ranks_names_levels_and_badge_pictures(board, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/c/acme-autumn").text
    assert _names(html) == ["Ada &lt;b&gt;", f"Anonymous fan #{anonymous_number('f-dee')}", "Bob"]
    assert "Dee Secret" not in html  # the anonymous fan's name is nowhere on the page
    column, under = _levels(html)
    assert "Roaster" in column and under == column
    assert '<img class="badge" src="/static/badges/count.svg" alt="First words"' in html


def test_a_logged_in_fan_sees_their_rank_and_neighbours_even_when_anonymous(
    board, app, client, login
) -> None:  # type: ignore[no-untyped-def]
    account = login("fan")
    with transaction(app.extensions["db_sessions"]) as session:
        session.query(User).filter(User.id == account.id).update({"fan_id": "f-dee"})
    html = client.get("/c/acme-autumn").text
    mine = html.split('id="my-rank"')[1].split("</table>")[0]
    assert _names(mine) == ["Ada &lt;b&gt;", "Dee Secret (you)", "Bob"]
    assert re.search(r'<td class="rank">2</td>\s*<td class="name"><strong>Dee Secret', mine)


def test_search_and_unknown_campaigns(board, client) -> None:  # type: ignore[no-untyped-def]
    assert _names(client.get("/c/acme-autumn?q=bo").text) == ["Bob"]
    assert _names(client.get("/c/acme-autumn?q=secret").text) == []
    assert client.get("/c/nope").status_code == 404


def test_pages_of_fifty(app, client) -> None:  # type: ignore[no-untyped-def]
    with transaction(app.extensions["db_sessions"]) as session:
        for n in range(120):
            add_fan(session, f"f{n:03d}", f"Fan {n:03d}", 1000 - n)
    third = client.get("/c/acme-autumn?page=3").text
    assert "Page 3 of 3" in third
    assert re.findall(r'<td class="rank">(\d+)</td>', third) == [str(r) for r in range(101, 121)]


def test_period_tabs_choose_the_period(app, client) -> None:  # type: ignore[no-untyped-def]
    with transaction(app.extensions["db_sessions"]) as session:
        add_fan(session, "f-old", "Old week", 5, board="acme-autumn/weekly", period="2026-10-05")
        add_fan(session, "f-new", "New week", 7, board="acme-autumn/weekly", period="2026-10-12")
    newest = client.get("/c/acme-autumn?board=weekly").text
    assert _names(newest) == ["New week"] and 'aria-current="page">Weekly' in newest
    assert _names(client.get("/c/acme-autumn?board=weekly&period=2026-10-05").text) == ["Old week"]


def test_visitors_get_a_cached_copy_for_a_moment(board, app, client) -> None:  # type: ignore[no-untyped-def]
    from web.cache import pages

    pages.clear()
    app.config["BOARD_CACHE_SECONDS"] = 60
    first = client.get("/c/acme-autumn").text
    with transaction(app.extensions["db_sessions"]) as session:
        add_fan(session, "f-zed", "Zed", 99)
    assert client.get("/c/acme-autumn").text == first  # within the minute: the same page
    pages.clear()
    assert "Zed" in client.get("/c/acme-autumn").text


def test_an_unlinked_profile_is_listed_with_its_platform(app, client) -> None:  # type: ignore[no-untyped-def]
    """The same handle on two platforms, and the fan who linked one of them later, are three
    entries: the profiles keep what they earned before the link (the spec's rule)."""
    with transaction(app.extensions["db_sessions"]) as session:
        add_fan(session, "fan-lena", "latte_lena", 90, minutes=1)
        add_fan(session, "x:1000000", "@latte_lena", 40, minutes=2)
        add_fan(session, "facebook:77", "@latte_lena", 30, minutes=3)
        add_fan(session, "x:555", None, 20, minutes=4)  # a profile no name is known for
        session.query(Fan).filter(Fan.id.in_(["x:1000000", "facebook:77", "x:555"])).update(
            {"kind": "profile"}
        )
    html = client.get("/c/acme-autumn").text
    assert _names(html) == ["latte_lena", "@latte_lena · X", "@latte_lena · Facebook", "x:555"]
