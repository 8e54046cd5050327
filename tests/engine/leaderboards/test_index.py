"""The rank index agrees with the listing rules: competition ranks, earlier ties first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.leaderboards.boards import standings
from engine.leaderboards.index import RankIndex
from engine.state import Score

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def filled(*rows: tuple[str, int, int]) -> RankIndex:
    """(fan, points, minutes after T0 of the last change) per fan."""
    index = RankIndex()
    for fan, points, minute in rows:
        index.set(fan, points, T0 + timedelta(minutes=minute), f"e-{fan}")
    return index


def test_ties_share_a_rank_and_whoever_reached_the_score_first_is_listed_first() -> None:
    index = filled(("b", 10, 5), ("a", 20, 9), ("c", 10, 1), ("d", 10, 3), ("e", 4, 0))
    assert [(r.rank, r.fan, r.points) for r in index.page(0, 10)] == [
        (1, "a", 20),
        (2, "c", 10),
        (2, "d", 10),
        (2, "b", 10),
        (5, "e", 4),
    ]
    assert [index.rank(f) for f in "abcde"] == [1, 2, 2, 2, 5]
    assert index.rank("nobody") is None


def test_pages_of_any_size_carry_the_ranks_of_the_whole_board() -> None:
    index = filled(("a", 30, 0), ("b", 20, 0), ("c", 20, 1), ("d", 10, 0))
    assert [(r.rank, r.fan) for r in index.page(2, 2)] == [(2, "c"), (4, "d")]
    assert [(r.rank, r.fan) for r in index.page(1, 1)] == [(2, "b")]
    assert index.page(4, 50) == [] and index.page(0, 0) == []


def test_around_me_lists_neighbours_and_stops_at_the_ends() -> None:
    index = filled(("a", 50, 0), ("b", 40, 0), ("c", 30, 0), ("d", 20, 0), ("e", 10, 0))
    assert [r.fan for r in index.around("c", 1, 1)] == ["b", "c", "d"]
    assert [r.fan for r in index.around("a", 2, 1)] == ["a", "b"]
    assert [r.fan for r in index.around("e", 1, 3)] == ["d", "e"]
    assert index.around("zz", 1, 1) == []


def test_a_changed_score_moves_the_fan_and_zero_takes_it_off() -> None:
    index = filled(("a", 20, 0), ("b", 10, 0))
    index.set("b", 25, T0 + timedelta(hours=1), "late")
    assert [(r.rank, r.fan) for r in index.page(0, 5)] == [(1, "b"), (2, "a")]
    index.set("a", 0, T0 + timedelta(hours=2), "retract")
    assert (len(index), "a" in index, index.rank("a")) == (1, False, None)


scores = st.dictionaries(
    st.sampled_from([f"f{i}" for i in range(12)]),
    st.tuples(st.integers(-3, 6), st.integers(0, 4), st.sampled_from(["e1", "e2"])),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(scores, st.integers(0, 13), st.integers(0, 13))
def test_the_index_lists_exactly_what_a_full_sort_lists(board, offset, size) -> None:  # type: ignore[no-untyped-def]
    index = RankIndex()
    full = {}
    for fan, (points, minute, event) in board.items():
        at = T0 + timedelta(minutes=minute)
        index.set(fan, points, at, event)
        full[fan] = Score(points, at, event)
    expected = standings(full.items())
    assert index.page(0, len(full) + 1) == expected
    assert index.page(offset, size) == expected[offset : offset + size]
    assert {r.fan: r.rank for r in expected} == {f: index.rank(f) for f in full if index.rank(f) is not None}
