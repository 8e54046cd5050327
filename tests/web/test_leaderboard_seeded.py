"""The public board pages read ranks from the rank index."""

from __future__ import annotations

import re

import pytest
from flask import Flask


@pytest.fixture
def app(seeded_app: Flask) -> Flask:
    """This module runs on the seeded app."""
    return seeded_app


def ranks(html: str) -> list[tuple[str, str]]:
    found = re.findall(r'<td class="rank">(\d+)</td>\s*<td class="name">\s*([^<]+?)\s*<', html)
    return [(rank, name.strip()) for rank, name in found]


def test_the_board_page_lists_fans_with_competition_ranks(app: Flask) -> None:
    html = app.test_client().get("/c/c").get_data(as_text=True)
    assert ranks(html) == [("1", "@h1"), ("2", "@h2"), ("2", "@h3")]


def test_search_shows_matching_fans_with_their_board_rank(app: Flask) -> None:
    html = app.test_client().get("/c/c?q=h3").get_data(as_text=True)
    assert ranks(html) == [("2", "@h3")]


def test_a_daily_period_and_an_unknown_campaign(app: Flask) -> None:
    client = app.test_client()
    html = client.get("/c/c?board=daily&period=2026-12-01").get_data(as_text=True)
    assert ranks(html) == [("1", "@h1"), ("2", "@h2")]
    assert client.get("/c/nope").status_code == 404
