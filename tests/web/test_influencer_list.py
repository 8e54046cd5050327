"""Formula-safe CSV cells and query-string filters of the influencer list."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from web.influencer_list import Filters, Row, csv_text, parse_filters, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        ("x:anna", "x:anna"),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_a_spreadsheet_would_run_get_a_quote(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert safe_cell(value) == expected


def test_csv_quotes_commas_quotes_and_newlines() -> None:
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    row = Row('x:"q"', "a,b", "approved", 50.04, 1200, 2, 1, ("line\nbreak", "x"), at, at, None)
    text = csv_text([row])
    assert text.split("\r\n", 1)[1] == (
        '"x:""q""","a,b",approved,50.0,1200,2,0.50,"line\nbreak; x",'
        "2026-12-01T09:30:00+00:00,2026-12-01T09:30:00+00:00\r\n"
    )
    assert list(csv.reader(io.StringIO(text)))[1][7] == "line\nbreak; x"


def test_filters_from_the_query_string_fall_back_on_nonsense() -> None:
    parsed = parse_filters(
        {"min_score": "nan", "min_followers": "-5", "min_positive": "150", "status": "x", "order": "asc"},
        ["derby"],
    )
    assert parsed == Filters(min_score=0.0, min_followers=0, min_positive=100, descending=False)
    good = parse_filters(
        {"min_score": "12.5", "campaign": "derby", "status": "dismissed", "sort": "posts"}, ["derby"]
    )
    assert good == Filters(min_score=12.5, campaign="derby", status="dismissed", sort="posts")
    assert good.query(sort="score") == {
        "min_score": "12.5", "campaign": "derby", "status": "dismissed", "sort": "score", "order": "desc",
    }  # fmt: skip


def test_rows_posts_and_reviews_on_both_databases(db_engine) -> None:  # type: ignore[no-untyped-def]
    from monitoring.aggregate import update
    from monitoring.influencers import review
    from monitoring.scoring import default_scorer
    from pipeline import ingest_events
    from storage.db import make_sessionmaker, transaction
    from storage.models.monitoring import InfluencerFlag
    from tests.factories import campaigns
    from tests.web.community_seed import COMMUNITY_YAML, seed_events
    from web.influencer_list import load_rows, with_details

    campaign_set = campaigns(COMMUNITY_YAML)
    sessions = make_sessionmaker(db_engine)
    now = datetime.now(UTC)
    events = seed_events()
    retract = {
        "id": "d1",
        "platform": "x",
        "type": "retract",
        "at": events[4]["at"],
        "attrs": {"retracts": "b0"},
    }
    ingest_events(sessions, campaign_set, [*events, retract], source="t", now=now, scorer=default_scorer())
    with transaction(sessions) as session:
        update(session, campaign_set.tz)
        for author in ("x:anna", "x:ben"):
            session.add(
                InfluencerFlag(author=author, status="flagged", score=60.0, reasons=["r"], flagged_at=now)
            )
    with transaction(sessions) as session:
        review(session, "x:ben", "note", by="7", note="call", now=now)
        review(session, "x:ben", "dismiss", by="someone", now=now)
    with sessions() as session:
        rows = with_details(
            session, load_rows(session, Filters(sort="author", descending=False), now.date(), 28)
        )
    anna, ben = rows
    assert (anna.author, anna.posts, anna.positive, anna.fan_id) == ("x:anna", 4, 4, "x:id-anna")
    assert len(anna.recent) == 3 and [p.label for p in anna.recent] == ["positive"] * 3
    assert anna.recent[0].at > anna.recent[1].at > anna.recent[2].at  # newest first
    # b0 was deleted: neither counted nor shown; b1 (positive) and b2 (negative) remain
    assert (ben.status, ben.posts, ben.positive) == ("dismissed", 2, 1)
    assert [p.text for p in ben.recent] == [
        "Great espresso, thank you!",
        "The coffee was cold and awful today.",
    ]
    assert [(p.label, round(p.polarity, 2)) for p in ben.recent] == [("positive", 0.78), ("negative", -0.46)]
    assert [(r.decision, r.by, r.note) for r in ben.reviews] == [
        ("dismiss", "someone", ""),
        ("note", "7", "call"),
    ]
