"""Rank indexes built before a fan is erased no longer list that fan afterwards."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.leaderboards import BoardIndexes
from storage.privacy import tombstone
from tests.web.seed import BOARD, add_fan


def test_an_erased_fan_leaves_indexes_built_before_the_erasure(db_engine: Engine) -> None:
    with Session(db_engine) as session:
        add_fan(session, "f-ada", "Ada", 50, minutes=1)
        add_fan(session, "f-bob", "Bob", 40, minutes=2)
        session.commit()
    indexes = BoardIndexes()  # another process's indexes, say
    with Session(db_engine) as session:
        assert [s.fan for s in indexes.get(session, BOARD, "").page(0, 10)] == ["f-ada", "f-bob"]
    with Session(db_engine) as session, session.begin():
        tombstone(session, "f-ada")
    with Session(db_engine) as session:
        listed = indexes.get(session, BOARD, "").page(0, 10)
    assert [(s.rank, s.fan) for s in listed] == [(1, "f-bob")]
