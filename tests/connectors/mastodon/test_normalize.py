"""Recorded Mastodon notifications in, event dicts out (pure)."""

from __future__ import annotations

import copy

from connectors.mastodon.normalize import Brand, notification_event, read_content
from connectors.sandbox.world import load_payload

BRAND = Brand("109348211274630185", "acmecoffee", "mastodon.example", "https://acme.example/s/")
QUOTE, REBLOG, REPLY = load_payload("mastodon", "notifications.json")
MENTION, FAVOURITE = load_payload("mastodon", "notifications_older.json")
STATUS_URL = "https://mastodon.example/@acmecoffee/115327044120511233"
BRAND_POST = {"id": "115327044120511233", "author": "acmecoffee@mastodon.example", "url": STATUS_URL}
LENA = {
    "id": "latte_lena@mastodon.example",
    "handle": "latte_lena@mastodon.example",
    "name": "Lena Ortiz",
    "followers": 402,
}


def test_a_quote_names_the_quoted_brand_status_and_the_remote_author_by_full_address() -> None:
    assert notification_event(QUOTE, BRAND) == {
        "id": "mastodon:quote:115327318843220517",
        "platform": "mastodon",
        "type": "quote",
        "at": "2026-10-05T15:10:12.000Z",
        "actor": {
            "id": "mocha_mika@social.example",
            "handle": "mocha_mika@social.example",
            "name": "Mika Tanaka",
            "followers": 1210,
        },
        "post": BRAND_POST,
        "text": "Finally! Stocking up this weekend",
        "hashtags": [],
        "mentions": [],
        "links": [],
        "attrs": {},
    }


def test_a_mention_replying_to_the_brand_is_a_reply_with_its_html_stripped() -> None:
    event = notification_event(REPLY, BRAND)
    assert (event["id"], event["type"], event["actor"]) == (
        "mastodon:reply:115327121009843201",
        "reply",
        LENA,
    )
    assert event["post"] == BRAND_POST
    assert event["text"] == "@acmecoffee whole bean available?" and event["mentions"] == ["acmecoffee"]


def test_a_mention_elsewhere_stays_a_mention_with_hashtags_as_written() -> None:
    event = notification_event(MENTION, BRAND)
    assert (event["type"], event["hashtags"], event["links"]) == ("mention", ["AcmeAutumn"], [])
    assert "post" not in event and event["actor"]["id"] == "bean_counter@fosstodon.example"


def test_a_reblog_is_a_share_and_a_favourite_a_like_at_the_time_they_happened() -> None:
    assert notification_event(REBLOG, BRAND) == {
        "id": "mastodon:reblog:115327044120511233:109411823740012234",
        "platform": "mastodon",
        "type": "share",
        "at": "2026-10-05T14:45:30.000Z",
        "actor": LENA,
        "post": BRAND_POST,
        "attrs": {"reblog": True},
    }
    like = notification_event(FAVOURITE, BRAND)
    assert (like["id"], like["type"], like["at"], like["attrs"]) == (
        "mastodon:favourite:115327044120511233:109411823740012234",
        "like",
        "2026-10-05T14:05:12.000Z",
        {"reaction": "favourite"},
    )


def test_a_tracked_link_makes_a_share_of_the_status_itself() -> None:
    mention = copy.deepcopy(MENTION)
    mention["status"]["content"] = (
        '<p>Try it: <a href="https://acme.example/s/k3Fz9Q" rel="nofollow noopener" target="_blank">'
        '<span class="invisible">https://</span><span class="">acme.example/s/k3Fz9Q</span></a></p>'
    )
    event = notification_event(mention, BRAND)
    assert (event["id"], event["type"], event["attrs"]) == (
        "mastodon:share:115327099000210433",
        "share",
        {"tracked_link": "https://acme.example/s/k3Fz9Q"},
    )
    assert event["text"] == "Try it: https://acme.example/s/k3Fz9Q"
    assert event["post"] == {
        "id": "115327099000210433",
        "author": "bean_counter@fosstodon.example",
        "url": "https://fosstodon.example/@bean_counter/115327099000210433",
    }


def test_private_statuses_the_brands_own_activity_and_other_types_make_no_event() -> None:
    direct = copy.deepcopy(REPLY)
    direct["status"]["visibility"] = "direct"
    own = copy.deepcopy(REBLOG)
    own["account"] = REBLOG["status"]["account"]
    follow = {
        "id": "1",
        "type": "follow",
        "created_at": "2026-10-05T14:00:00.000Z",
        "account": MENTION["account"],
    }
    assert [notification_event(n, BRAND) for n in (direct, own, follow)] == [None, None, None]


def test_html_becomes_text_with_line_breaks_entities_emoji_and_rtl_kept() -> None:
    content = read_content(
        "<p>قهوة الخريف رائعة ☕🍂 &amp; שלום<br>line two</p><p>"
        '<a href="https://mastodon.example/tags/AcmeAutumn" class="mention hashtag" rel="tag">'
        "#<span>AcmeAutumn</span></a>"
        ' <a href="https://acme.example/autumn"><span class="invisible">https://</span>acme.example/autumn</a></p>'
    )
    assert (
        content.text == "قهوة الخريف رائعة ☕🍂 & שלום\nline two\n\n#AcmeAutumn https://acme.example/autumn"
    )
    assert (content.hashtags, content.links) == (["AcmeAutumn"], ["https://acme.example/autumn"])
