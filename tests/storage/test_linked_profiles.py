"""A fan's linked profiles are shown by platform and handle, never by their key alone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from engine.rules.loader import load_campaigns_text
from pipeline import ingest_events
from storage.db import make_sessionmaker, transaction
from storage.linked_profiles import ShownProfile, as_written, platform_name, shown_profiles
from storage.models.connect import ConnectedAccount

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CAMPAIGNS = """\
version: 1
campaigns:
  - id: c
    rules:
      - {id: comment, on: comment, points: 5}
"""


def _link(n: int, profile: str, fan: str = "fan-1") -> dict:  # type: ignore[type-arg]
    return {
        "id": f"link-{n}",
        "platform": "web",
        "type": "profile_linked",
        "at": f"2026-10-0{n}T10:00:00Z",
        "fan": fan,
        "attrs": {"profile": profile},
    }


def test_each_link_is_named_by_what_the_profile_did_or_what_the_platform_said(db_engine) -> None:  # type: ignore[no-untyped-def]
    campaigns, errors = load_campaigns_text(CAMPAIGNS)
    assert campaigns is not None, errors
    sessions = make_sessionmaker(db_engine)
    comment = {"id": "fb-1", "platform": "facebook", "type": "comment", "at": "2026-10-09T10:00:00Z"}
    comment |= {"actor": {"id": "77", "name": "Brian O'Neill"}, "post": {"id": "1", "author": "acme"}}
    events = [
        _link(1, "facebook:77"),
        _link(2, "x:12"),
        _link(3, "mastodon:lena@mastodon.example"),
        _link(4, "x:13"),
        _link(5, "x:99", fan="fan-2"),
        comment,
    ]
    ingest_events(sessions, campaigns, events, source="t", now=NOW)
    with transaction(sessions) as session:
        session.add(_connected("x", "13", "anna_x"))
    with sessions() as session:
        assert shown_profiles(session, "fan-1") == [
            ShownProfile("facebook:77", "Facebook", "Brian O'Neill"),  # the name its comment gave
            ShownProfile("x:12", "X", "12"),  # nothing known but the user id: no "@" before a number
            ShownProfile("mastodon:lena@mastodon.example", "Mastodon", "@lena@mastodon.example"),
            ShownProfile("x:13", "X", "@anna_x"),  # linked through Connect: the platform's answer
        ]
        assert _shown(session, "fan-2") == ["x:99"]


def _shown(session: Session, fan: str) -> list[str]:
    return [p.key for p in shown_profiles(session, fan)]


def _connected(platform: str, user_id: str, handle: str) -> ConnectedAccount:
    return ConnectedAccount(
        fan_id="fan-1",
        platform=platform,
        user_id=user_id,
        handle=handle,
        access_token_enc="ciphertext",
        link_event_id=f"link-{user_id}",
        linked_at=NOW,
    )


def test_platform_names_and_handles_as_people_write_them() -> None:
    assert [platform_name(k) for k in ("x:1", "facebook:2", "mastodon:a@b", "tiktok:3")] == [
        "X",
        "Facebook",
        "Mastodon",
        "Tiktok",
    ]
    assert as_written("x:1", "anna") == "@anna" and as_written("x:1", "@anna") == "@anna"
    assert as_written("facebook:2", "Anna K.") == "Anna K."
