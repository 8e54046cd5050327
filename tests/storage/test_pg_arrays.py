"""Arrays of keys sent as text: PostgreSQL reads back exactly the values given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from storage.pg_arrays import array_text

KEY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


def test_text_and_numbers_are_written_in_the_array_syntax() -> None:
    assert array_text(["a", "b c"]) == '{"a","b c"}'
    assert array_text(['say "hi"', "back\\slash"]) == '{"say \\"hi\\"","back\\\\slash"}'
    assert array_text([3, -1]) == "{3,-1}"
    assert array_text([]) == "{}"


def test_anything_else_is_left_to_the_driver() -> None:
    assert array_text([1, "a"]) == [1, "a"]
    assert array_text([None]) == [None]


@settings(max_examples=300, deadline=None)
@given(st.lists(KEY_TEXT, max_size=8))
def test_postgresql_reads_back_every_text_key(postgres_engine, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    with postgres_engine.connect() as conn:
        got = conn.execute(text("SELECT CAST(:keys AS text[])"), {"keys": array_text(keys)}).scalar()
    assert got == keys


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=8))
def test_postgresql_reads_back_every_number(postgres_engine, ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    with postgres_engine.connect() as conn:
        got = conn.execute(text("SELECT CAST(:ids AS bigint[])"), {"ids": array_text(ids)}).scalar()
    assert got == ids
