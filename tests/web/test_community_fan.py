"""The community managers' view of a fan: interests and the rewards matching them."""

from __future__ import annotations

import re

import pytest

from engine.rules.registry import CampaignRegistry
from tests.web.community_seed import COMMUNITY_YAML, seed


@pytest.fixture
def fan_app(app, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "campaigns.yaml"
    path.write_text(COMMUNITY_YAML, encoding="utf-8")
    app.extensions["campaigns"] = CampaignRegistry(path, interval=0)
    seed(app)
    return app


def _interests(page: str) -> list[tuple[str, str, str]]:
    table = page.split('<table class="data" id="interests">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr><th scope="row">(.*?)</th><td>(\w+)</td><td class="num">(\d+)</td></tr>', table)


def test_a_fans_interests_and_suggested_rewards(fan_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/influencers/fan/x:id-ben").text
    # ben: 3 posts #AcmeAutumn, one also #espresso; "coffee" and "espresso" twice in the texts
    assert _interests(page) == [
        ("#acmeautumn", "hashtag", "3"),
        ("coffee", "topic", "2"),
        ("espresso", "topic", "2"),
        ("#espresso", "hashtag", "1"),
        ("awful", "topic", "1"),
        ("cold", "topic", "1"),
        ("ever", "topic", "1"),
    ]
    # espresso: tags coffee (2) + espresso (2 + 1) = 5; the scarf and the mug match nothing
    suggestions = re.findall(r"<li><strong>(.*?)</strong> — matches (.*?) \((\d+) uses\)</li>", page)
    assert suggestions == [("Free espresso", "coffee, espresso", "5")]


def test_the_list_links_each_author_to_their_interests(fan_app, client, login) -> None:  # type: ignore[no-untyped-def]
    from storage.db import transaction
    from storage.models.monitoring import InfluencerFlag

    with transaction(fan_app.extensions["db_sessions"]) as session:
        assert session.get(InfluencerFlag, "x:@carl") is not None
    login("community_manager")
    assert 'href="/influencers/fan/x:id-@carl"' in client.get("/influencers").text
    page = client.get("/influencers/fan/x:id-@carl").text
    assert ("script", "topic", "3") in _interests(page)  # escaped text, counted as a word
    assert "<script>" not in page
    assert re.findall(r"<li><strong>(.*?)</strong> — matches (.*?) \((\d+) uses\)</li>", page) == [
        ("Club scarf", "derby", "6")  # the hashtag 3 times and the word 3 times
    ]


def test_an_unknown_fan_is_not_found_and_other_roles_are_refused(fan_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    assert client.get("/influencers/fan/x:id-ben").status_code == 403
    client.post("/logout")
    login("community_manager")
    assert client.get("/influencers/fan/nobody").status_code == 404
