"""Recorded Graph API payloads in, event dicts out (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.facebook.normalize import Page, comment_event, reaction_event, share_event, tagged_event
from connectors.sandbox.world import FB_POST, load_payload

PAGE = Page("104857392817465", "Acme Coffee")


def test_comments_keep_emoji_and_skip_the_pages_own() -> None:
    first, own = load_payload("graph", "comments_page1.json")["data"]
    rosa = load_payload("graph", "comments_page2.json")["data"][0]
    assert comment_event(own, FB_POST, PAGE) is None
    event = comment_event(rosa, FB_POST, PAGE)
    assert event["id"] == "facebook:comment:1290045583271104_1534502217604493"
    assert (
        event["text"] == "Brewing a cup right now, so good 😍" and event["at"] == "2026-10-05T15:10:17+0000"
    )
    assert event["post"]["url"] == "https://www.facebook.com/104857392817465/posts/1290045583271104"
    assert comment_event(first, FB_POST, PAGE)["actor"] == {"id": "7391028374650912", "name": "Lena Ortiz"}


def test_reactions_shares_and_tagged_posts() -> None:
    love = load_payload("graph", "reactions.json")["data"][0]
    seen = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert reaction_event(love, FB_POST, PAGE, seen)["attrs"] == {"reaction": "love"}
    share = share_event(load_payload("graph", "sharedposts.json")["data"][0], FB_POST, PAGE)
    assert (share["id"], share["actor"]["id"]) == (
        "facebook:share:100064218775531_1174420981573302",
        "100064218775531",
    )
    page_post, person_post = load_payload("graph", "tagged.json")["data"]
    assert tagged_event(page_post, PAGE)["type"] == "mention"
    assert tagged_event(person_post, PAGE) is None  # `from` hidden: cannot be attributed
