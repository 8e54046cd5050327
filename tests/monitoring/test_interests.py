"""A fan's interests from their posts, and rewards whose tags match them."""

from __future__ import annotations

from sqlalchemy import Engine

from monitoring.interests import Interest, Suggestion, interests, suggest_rewards
from tests.monitoring.helpers import CAMPAIGNS, ingest, post, refresh


def test_interests_and_matching_rewards(db_engine: Engine) -> None:
    sessions = ingest(
        db_engine,
        [
            post(
                "mention",
                "a1",
                "2026-12-18T10:00:00Z",
                "anna",
                text="Der Espresso im Stadion ist top",
                tags=("Derby", "Coffee"),
            ),
            post(
                "mention",
                "a2",
                "2026-12-18T11:00:00Z",
                "anna",
                text="Noch ein Espresso vor dem Derby",
                tags=("Derby",),
            ),
            post("mention", "b1", "2026-12-18T12:00:00Z", "ben", text="Heute kein Kaffee", tags=("Derby",)),
        ],
    )
    refresh(sessions)
    anna = "x:id-anna"  # unlinked profile: its key stands for the fan
    with sessions() as session:
        got = interests(session, anna)
        suggested = suggest_rewards(session, anna, CAMPAIGNS.rewards)
        ben = suggest_rewards(session, "x:id-ben", CAMPAIGNS.rewards)
    assert got[:3] == [
        Interest("hashtag", "derby", 2),
        Interest("topic", "espresso", 2),
        Interest("hashtag", "coffee", 1),
    ]
    assert Interest("topic", "stadion", 1) in got
    # espresso: "coffee" 1 + "espresso" 2 = 3; scarf: "derby" as hashtag 2 + as topic ("vor dem Derby") 1
    # = 3, the tie goes by id; the mug has no tags
    assert suggested == [
        Suggestion("espresso", "Free espresso", ("coffee", "espresso"), 3),
        Suggestion("scarf", "Club scarf", ("derby",), 3),
    ]
    assert ben == [Suggestion("scarf", "Club scarf", ("derby",), 1)]
