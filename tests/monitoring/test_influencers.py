"""Influencer score, reasons, flags once, reviews stored with who and when."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from monitoring.config import InfluencerConfig
from monitoring.influencers import ReviewError, compact, flag, flags, percent, rank, review, reviews
from storage.db import transaction
from tests.monitoring.helpers import ingest, post, refresh

TODAY = date(2026, 12, 20)
NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)
CONFIG = InfluencerConfig(min_score=30, min_followers=10_000, min_posts=3, min_positive=0.6, rescore_margin=5)


def events() -> list[dict]:
    anna = [
        post(
            "mention",
            f"a{i}",
            f"2026-12-{15 + i}T10:00:00Z",
            "anna",
            text="Bester Verein der Welt 💙",
            followers=42_000,
        )
        for i in range(4)
    ]
    anna[0]["attrs"] = {"public_metrics": {"like_count": 90, "retweet_count": 8, "reply_count": 2}}
    ben = [post("mention", "b1", "2026-12-19T10:00:00Z", "ben", text="Schlechtes Spiel", followers=50)]
    shares = [
        post("retweet", f"s{i}", "2026-12-19T11:00:00Z", f"fan{i}", followers=1000, target="anna")
        for i in range(3)
    ]
    return anna + ben + shares


def test_score_features_and_reasons_hand_checked(db_engine: Engine) -> None:
    sessions = ingest(db_engine, events())
    refresh(sessions)
    with sessions() as session:
        ranked = rank(session, TODAY, CONFIG, brands=frozenset({"club"}))
    anna = ranked[0]
    assert anna.author == "x:anna" and [r.author for r in ranked[1:]][0] == "x:ben"
    assert "x:club" not in {r.author for r in ranked}  # the brand is not ranked
    f = anna.features
    # 100 from public metrics + 3 observed retweets of her post
    assert (f.followers, f.posts_week, f.posts, f.positive, f.engagement, f.reach) == (
        42_000,
        4,
        4,
        4,
        103,
        3000,
    )
    expected = 100 * (
        0.25 * math.log10(42_001) / 6
        + 0.2 * math.log10(104) / 4
        + 0.15 * 0.4
        + 0.15 * math.log10(3001) / 6
        + 0.1 * 1.0
        + 0.15 * anna.parts["centrality"]
    )
    assert anna.score == pytest.approx(round(expected, 1))
    # two authors ranked: anna has the best reach (top 1 of 2 = 50 %)
    assert anna.reasons == (
        "42k followers",
        "4 posts this week",
        "100% positive",
        "top 50% reach",
        "103 engagements",
    )


def test_flagged_once_dismissed_reflag_only_after_margin(db_engine: Engine) -> None:
    sessions = ingest(db_engine, events())
    refresh(sessions)
    with transaction(sessions) as session:
        ranked = rank(session, TODAY, CONFIG)
        assert [r.author for r in flag(session, ranked, CONFIG, NOW)] == ["x:anna"]
        assert flag(session, ranked, CONFIG, NOW) == []  # once
        review(session, "x:anna", "note", by="cm-julia", now=NOW, note="Talk after the derby")
        review(session, "x:anna", "dismiss", by="cm-julia", now=NOW)
        assert flags(session)[0].status == "dismissed"
        assert flag(session, ranked, CONFIG, NOW) == []  # same score: stays dismissed
        dismissed_at = flags(session)[0].score
    with transaction(sessions) as session:  # with no margin, the same score is enough
        lower_margin = InfluencerConfig(min_score=30, min_followers=10_000, min_posts=3, rescore_margin=0)
        assert [r.author for r in flag(session, rank(session, TODAY, lower_margin), lower_margin, NOW)] == [
            "x:anna"
        ]
        assert flags(session)[0].status == "flagged" and flags(session)[0].score >= dismissed_at
        history = reviews(session, "x:anna")
    assert [(r.decision, r.by, r.note) for r in history] == [
        ("note", "cm-julia", "Talk after the derby"),
        ("dismiss", "cm-julia", ""),
    ]
    assert all(r.at is not None for r in history)


def test_review_rejects_bad_input(db_engine: Engine) -> None:
    sessions = ingest(db_engine, events())
    with transaction(sessions) as session:
        with pytest.raises(ReviewError, match="has not been flagged"):
            review(session, "x:nobody", "approve", by="cm", now=NOW)
        with pytest.raises(ReviewError, match="unknown decision"):
            review(session, "x:anna", "promote", by="cm", now=NOW)


def test_approved_author_is_not_flagged_again(db_engine: Engine) -> None:
    sessions = ingest(db_engine, events())
    refresh(sessions)
    with transaction(sessions) as session:
        ranked = rank(session, TODAY, CONFIG)
        flag(session, ranked, CONFIG, NOW)
        review(session, "x:anna", "approve", by="cm-julia", now=NOW)
        zero = InfluencerConfig(min_score=30, min_followers=10_000, min_posts=3, rescore_margin=0)
        assert flag(session, rank(session, TODAY, zero), zero, NOW) == []
        assert flags(session, "approved")[0].author == "x:anna"


@pytest.mark.parametrize(("n", "text"), [(950, "950"), (1250, "1.2k"), (42_000, "42k"), (1_250_000, "1.2M")])
def test_compact_numbers(n: int, text: str) -> None:
    assert compact(n) == text


def test_percent_rounds_up() -> None:
    assert (percent(0.01), percent(0.004), percent(0.25)) == ("1%", "0.4%", "25%")
