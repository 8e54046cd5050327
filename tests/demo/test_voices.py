"""The demo's voices: dated from the seeding day, the same ids for the same day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from demo.voices import VOICES, voice_events
from engine.events import parse_event


def test_posts_fall_in_the_week_before_the_seeding_day_and_parse() -> None:
    today = date(2027, 3, 10)
    events = [parse_event(raw) for raw in voice_events(today)]
    start, end = datetime.combine(date(2027, 3, 4), time(), UTC), datetime.combine(today, time(), UTC)
    assert all(start <= e.at < end for e in events)
    posts = [e for e in events if e.type == "mention"]
    assert len(posts) == sum(len(v.days) for v in VOICES)
    assert {e.actor.handle for e in events if e.type == "retweet" and e.actor} >= {"mocha_mika"}
    assert len({e.id for e in events}) == len(events)


def test_seeding_a_day_later_repeats_the_shared_days_ids() -> None:
    first = {e["id"]: e for e in voice_events(date(2027, 3, 10))}
    later = {e["id"]: e for e in voice_events(date(2027, 3, 11))}
    shared = first.keys() & later.keys()
    assert shared and all(first[i] == later[i] for i in shared)
    assert later.keys() - first.keys()  # yesterday's new posts


def test_the_sandbox_serves_the_seeded_posts_so_the_deletion_sweep_keeps_them() -> None:
    from connectors.sandbox.world import World
    from connectors.x.source import created_at
    from demo.voices import publish_voices

    world, today = World(), date(2027, 3, 10)
    publish_voices(world, today)
    posts = {e["id"].rpartition(":")[2]: e for e in voice_events(today) if e["type"] == "mention"}
    assert set(world.x_tweets) == set(posts)
    for post_id, tweet in world.x_tweets.items():
        assert tweet["text"] == posts[post_id]["text"]
        assert created_at(post_id) == parse_event(posts[post_id]).at
        assert world.x_users[tweet["author_id"]]["username"] == posts[post_id]["actor"]["handle"]
