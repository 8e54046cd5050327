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
