"""Leaderboard reads: ranks with ties, pages, a fan's place and neighbours, search."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.web.seed import BOARD, add_fan, grant
from web import boards


@pytest.fixture
def session(db_engine):  # type: ignore[no-untyped-def]
    with Session(db_engine) as session:
        # points, minutes after T0: ada and bob tie on 50 (ada got there first), eve has 0.
        add_fan(session, "f-ada", "Ada", 50, minutes=1)
        add_fan(session, "f-bob", "Bob", 50, minutes=2)
        add_fan(session, "f-cy", "Cy", 70, minutes=5)
        add_fan(session, "f-dee", "Dee", 20, minutes=0, anonymous=True)
        add_fan(session, "f-eve", "Eve", 0, minutes=0)
        add_fan(session, "f-fay", "Fay Adams", 10, minutes=0)
        add_fan(session, "f-ada", "Ada", 5, period="2026-10-05", board="acme-autumn/weekly")
        session.commit()
        yield session


def _listing(rows: list[boards.Row]) -> list[tuple[int, str, int]]:
    return [(r.rank, r.fan, r.points) for r in rows]


def test_pages_rank_ties_alike_and_order_the_earlier_first(session: Session) -> None:
    assert _listing(boards.page(session, BOARD, "", 0, 10)) == [
        (1, "f-cy", 70),
        (2, "f-ada", 50),
        (2, "f-bob", 50),
        (4, "f-dee", 20),
        (5, "f-fay", 10),
    ]
    # a page starting inside a tie still gives the shared rank
    assert _listing(boards.page(session, BOARD, "", 2, 2)) == [(2, "f-bob", 50), (4, "f-dee", 20)]
    assert boards.count(session, BOARD, "") == 5  # eve's zero is not listed


def test_a_fans_rank_and_the_fans_around_them(session: Session) -> None:
    assert boards.position(session, BOARD, "", "f-bob") == 2
    row = boards.rank_of(session, BOARD, "", "f-bob")
    assert row is not None and (row.rank, row.points, row.name) == (2, 50, "Bob")
    assert [r.fan for r in boards.around(session, BOARD, "", "f-dee", reach=1)] == ["f-bob", "f-dee", "f-fay"]
    assert [r.fan for r in boards.around(session, BOARD, "", "f-cy", reach=2)] == ["f-cy", "f-ada", "f-bob"]
    assert boards.rank_of(session, BOARD, "", "f-eve") is None
    assert boards.around(session, BOARD, "", "nobody") == []


def test_search_finds_names_but_never_an_anonymous_fan(session: Session) -> None:
    assert _listing(boards.search(session, BOARD, "", "ada")) == [(2, "f-ada", 50), (5, "f-fay", 10)]
    assert boards.search(session, BOARD, "", "dee") == []
    assert boards.search(session, BOARD, "", "%") == []  # wildcards are plain characters


def test_periods_and_badges(session: Session) -> None:
    assert boards.periods(session, "acme-autumn/weekly") == ["2026-10-05"]
    grant(session, "f-ada", "buzz", seq=2)
    grant(session, "f-ada", "first-words", seq=1)
    session.commit()
    assert boards.badges_of(session, "acme-autumn", ["f-ada", "f-bob"]) == {"f-ada": ["first-words", "buzz"]}


def test_anonymous_numbers_are_stable_and_four_digits() -> None:
    assert boards.anonymous_number("f-dee") == boards.anonymous_number("f-dee")
    assert len(boards.anonymous_number("f-dee")) == 4
