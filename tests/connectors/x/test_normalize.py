"""Recorded X payloads in, event dicts out (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.sandbox.world import load_payload
from connectors.x.normalize import Brand, retweet_event, tweet_event

BRAND = Brand("1432281941406646272", "acmecoffee", "https://acme.example/s/")


def _page(name: str) -> tuple[list[dict], dict, dict]:
    page = load_payload("x", name)
    users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
    tweets = {t["id"]: t for t in page.get("includes", {}).get("tweets", [])}
    return page["data"], users, tweets


def test_a_quote_names_the_quoted_brand_post_and_the_author_with_followers() -> None:
    data, users, tweets = _page("quote_tweets.json")
    event = tweet_event(data[0], users, tweets, BRAND)
    assert event == {
        "id": "x:quote:2107124273771536482",
        "platform": "x",
        "type": "quote",
        "at": "2026-10-05T15:02:30.000Z",
        "actor": {
            "id": "15478392",
            "handle": "coffeecritic",
            "name": "The Coffee Critic",
            "followers": 184230,
        },
        "post": {
            "id": "2107108545131447506",
            "author": "acmecoffee",
            "url": "https://x.com/acmecoffee/status/2107108545131447506",
        },
        "text": data[0]["text"],
        "hashtags": [],
        "mentions": ["acmecoffee"],
        "links": ["https://x.com/acmecoffee/status/2107108545131447506"],
        "attrs": {},
    }


def test_each_post_type_is_decided_by_the_post_alone() -> None:
    data, users, tweets = _page("mentions_page1.json")
    kinds = {t["id"]: (tweet_event(t, users, tweets, BRAND) or {}).get("type") for t in data}
    assert kinds == {
        "2107383494341560990": "mention",
        "2107158876779450983": "reply",
        "2107141520749495273": "mention",
        "2107133786452922514": "mention",
        "2107124273771536482": "quote",
    }
    reply = tweet_event(data[1], users, tweets, BRAND)
    assert reply["post"] == {
        "id": "2107113867703222827",
        "author": "latte_lena",
        "url": "https://x.com/latte_lena/status/2107113867703222827",
    }


def test_the_brands_own_posts_and_plain_reposts_make_no_event() -> None:
    data, users, tweets = _page("search_recent.json")
    assert tweet_event(data[3], users, tweets, BRAND) is None  # @acmecoffee's own post
    repost = dict(data[0], referenced_tweets=[{"type": "retweeted", "id": "2107108545131447506"}])
    assert tweet_event(repost, users, tweets, BRAND) is None


def test_missing_includes_leave_only_the_author_id_and_long_posts_keep_their_full_text() -> None:
    data, _, _ = _page("mentions_page1.json")
    long_text = "☕" * 400
    event = tweet_event(dict(data[0], note_tweet={"text": long_text}), {}, {}, BRAND)
    assert event["actor"] == {"id": "1105408086635569728"} and event["text"] == long_text


def test_a_tracked_link_makes_a_share() -> None:
    tweet = {
        "id": "2110000000000000009",
        "text": "Try it https://t.co/x",
        "author_id": "15478392",
        "created_at": "2026-11-20T10:00:00.000Z",
        "entities": {"urls": [{"url": "https://t.co/x", "expanded_url": "https://acme.example/s/k3Fz9"}]},
    }
    event = tweet_event(tweet, {}, {}, BRAND)
    assert (event["id"], event["type"], event["attrs"]) == (
        "x:share:2110000000000000009",
        "share",
        {"tracked_link": "https://acme.example/s/k3Fz9"},
    )
    assert event["post"] == {
        "id": "2110000000000000009",
        "url": "https://x.com/i/web/status/2110000000000000009",
    }


def test_a_post_without_id_or_time_yields_an_incomplete_event_for_the_quarantine() -> None:
    event = tweet_event({"text": "@acmecoffee hi", "author_id": "1"}, {}, {}, BRAND)
    assert "id" not in event and "at" not in event


def test_a_repost_is_stamped_when_first_seen() -> None:
    user = load_payload("x", "retweeted_by_page2.json")["data"][0]
    event = retweet_event("2107108545131447506", "acmecoffee", user, datetime(2026, 11, 20, 12, tzinfo=UTC))
    assert event["id"] == "x:retweet:2107108545131447506:2883012345" and event["at"] == "2026-11-20T12:00:00Z"
    assert event["actor"] == {
        "id": "2883012345",
        "handle": "brewbrian",
        "name": "Brian Okafor",
        "followers": 326,
    }
