"""People outside the programme who talked about Acme this past week: the demo's influencers.

demo/events.jsonl is eight fixed weeks, while influencers are judged on the last 7 and
28 days, so a demo seeded a month later would give community managers nothing to review.
These posts are dated from the day the demo is seeded (yesterday and the five days
before), with ids made from their dates: seeding twice on one day adds nothing, seeding on
a later day adds that day's posts, as if the voices had gone on talking.

Two of the three cross every threshold of the influencer list; the third, loud but
mostly negative, does not (fewer than 60 % positive posts). Demo fans repost the two,
which gives them reach and a place in the who-shares-whom graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from connectors.sandbox.world import BRAND_X_ID, World
from connectors.x.source import snowflake


@dataclass(frozen=True, slots=True)
class Voice:
    """An X profile that is not linked to any fan."""

    user_id: str
    handle: str
    name: str
    followers: int
    days: tuple[int, ...]  # days before the seeding day it posts on (1 = yesterday)
    texts: tuple[str, ...]
    likes: int  # likes its posts get; reposts, replies and quotes follow from it


VOICES = (
    Voice(
        "4200000001",
        "kaffee_kritik",
        "Jonas Kaffeekritik",
        48_200,
        (1, 2, 3, 4, 5, 6),
        (
            "Acme's #AcmeAutumn blend is the best thing I tasted this month. Love it! @acmecoffee",
            "Cupping notes on @acmecoffee #AcmeAutumn: baked apple, pecan, great balance. Excellent.",
            "Wunderbarer Kaffee, @acmecoffee! Die #AcmeAutumn Röstung ist großartig.",
        ),
        850,
    ),
    Voice(
        "4200000002",
        "berlin_brews",
        "Berlin Brews",
        12_400,
        (1, 3, 5, 6),
        (
            "Great flat white at @acmecoffee Kreuzberg today, friendly baristas :) #AcmeAutumn",
            "@acmecoffee the autumn roast is lovely, thank you! #AcmeAutumn",
            "Wer war schon bei @acmecoffee? Super lecker! #AcmeAutumn",
        ),
        240,
    ),
    Voice(
        "4200000003",
        "grumpy_grinder",
        "Grumpy Grinder",
        31_000,
        (1, 2, 4, 6),
        (
            "@acmecoffee waited 20 minutes and the coffee was cold. Disappointing. #AcmeAutumn",
            "Overpriced and bitter, @acmecoffee. Terrible. #AcmeAutumn",
            "@acmecoffee open on Sunday?",
        ),
        400,
    ),
)
# Demo fans (linked X profiles in demo/events.jsonl) who repost the voices they like.
REPOSTERS = (
    ("1000001", "mocha_mika", 1037),
    ("1000004", "kaffeeklatsch_kim", 4028),
    ("1000006", "bohnen_ben", 6022),
    ("1000010", "roast_rosa", 10010),
)


def voice_events(today: date) -> list[dict[str, Any]]:
    """The voices' posts of the six days before `today`, and the demo fans' reposts of them."""
    events: list[dict[str, Any]] = []
    for number, voice in enumerate(VOICES):
        for day in voice.days:
            at = datetime.combine(today - timedelta(days=day), time(8 + 3 * number, 15), UTC)
            post = _post(voice, at)
            events.append(post)
            if voice.handle != "grumpy_grinder":
                events.extend(_reposts(post, voice, at))
    return events


def _post(voice: Voice, at: datetime) -> dict[str, Any]:
    # Everything follows from the date, so a later seeding repeats a day's post exactly.
    day = at.date().toordinal()
    text = voice.texts[day % len(voice.texts)]
    post_id = snowflake(at, int(voice.user_id) % 4096)
    likes = voice.likes + 37 * (day % 7)
    return {
        "id": f"x:mention:{post_id}",
        "platform": "x",
        "type": "mention",
        "at": _iso(at),
        "actor": {
            "id": voice.user_id,
            "handle": voice.handle,
            "name": voice.name,
            "followers": voice.followers,
        },
        "text": text,
        "hashtags": ["AcmeAutumn"] if "#AcmeAutumn" in text else [],
        "mentions": ["acmecoffee"],
        "attrs": {
            "public_metrics": {
                "like_count": likes,
                "retweet_count": likes // 6,
                "reply_count": likes // 15,
                "quote_count": likes // 40,
            }
        },
    }


def _reposts(post: dict[str, Any], voice: Voice, at: datetime) -> list[dict[str, Any]]:
    post_id = post["id"].rpartition(":")[2]
    chosen = REPOSTERS[: 2 + at.date().toordinal() % 3]
    return [
        {
            "id": f"x:retweet:{post_id}:{user_id}",
            "platform": "x",
            "type": "retweet",
            "at": _iso(at + timedelta(minutes=20 * (index + 1))),
            "actor": {"id": user_id, "handle": handle, "followers": followers},
            "post": {"id": post_id, "author": voice.handle},
            "hashtags": post["hashtags"],
            "mentions": ["acmecoffee"],
        }
        for index, (user_id, handle, followers) in enumerate(chosen)
    ]


def publish_voices(world: World, today: date) -> None:
    """Put the voices' posts on the sandbox X the demo polls, as they were seeded: the
    connectors' deletion sweep looks stored posts up, and a post X no longer has is
    taken back as deleted."""
    for event in voice_events(today):
        if event["type"] == "mention":
            world.add_tweet(*_as_tweet(event))


def _as_tweet(event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A seeded post as X API v2 serves it, and its author."""
    post_id, actor, text = event["id"].rpartition(":")[2], event["actor"], event["text"]
    at = event["at"].replace("Z", ".000Z")
    tweet = {
        "id": post_id,
        "edit_history_tweet_ids": [post_id],
        "text": text,
        "author_id": actor["id"],
        "created_at": at,
        "conversation_id": post_id,
        "lang": "de" if "Kaffee" in text else "en",
        "public_metrics": event["attrs"]["public_metrics"],
        "entities": {
            "mentions": [_entity(text, "@acmecoffee", {"username": "acmecoffee", "id": BRAND_X_ID})],
            "hashtags": [_entity(text, f"#{tag}", {"tag": tag}) for tag in event["hashtags"]],
        },
    }
    user = {
        "id": actor["id"],
        "username": actor["handle"],
        "name": actor["name"],
        "public_metrics": {"followers_count": actor["followers"]},
    }
    return tweet, user


def _entity(text: str, word: str, fields: dict[str, str]) -> dict[str, Any]:
    start = text.index(word)
    return {"start": start, "end": start + len(word), **fields}


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
