"""Bulk writes convert values to exactly what SQLAlchemy's own types would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from storage.bulk import _bind_processor, delete, write
from storage.db import make_sessionmaker
from storage.models.core import BadgeProgress, LedgerEntry, StoredEvent


def test_utc_times_are_stored_as_sqlalchemy_stores_them_on_sqlite() -> None:
    dialect = sqlite.dialect()
    column = LedgerEntry.__table__.c.at.type
    fast, reference = _bind_processor(dialect, column), column.dialect_impl(dialect).bind_processor(dialect)
    berlin = datetime(2026, 11, 1, 22, 30, 5, 123, tzinfo=timezone(timedelta(hours=1)))
    assert fast(berlin) == "2026-11-01 21:30:05.000123"
    for value in (berlin, datetime(2026, 11, 1, tzinfo=UTC), datetime(999, 1, 2, 3, 4, 5), None):
        assert fast(value) == reference(value)


def test_json_columns_write_none_as_sqlalchemy_does() -> None:
    dialect = sqlite.dialect()
    column = StoredEvent.__table__.c.payload.type
    fast, reference = _bind_processor(dialect, column), column.dialect_impl(dialect).bind_processor(dialect)
    assert fast(None) == reference(None)
    assert fast({"id": "e1"}) == '{"id":"e1"}'


def test_delete_removes_exactly_the_keyed_rows_on_both_databases(db_engine) -> None:  # type: ignore[no-untyped-def]
    sessions = make_sessionmaker(db_engine)
    keys = [(f"x:{n}", "c1", badge) for n in range(300) for badge in ("first", "ten")]
    with sessions.begin() as session:
        write(
            session,
            BadgeProgress.__table__,
            ("fan_id", "campaign_id", "badge_id", "state"),
            [(*k, {"n": 1}) for k in keys],
        )
        write(
            session,
            BadgeProgress.__table__,
            ("fan_id", "campaign_id", "badge_id", "state"),
            [("x:0", "c2", "first", {})],
        )
    gone = [k for k in keys if k[2] == "ten" or k[0] == "x:7"] + [
        ("x:999", "c1", "ten")
    ]  # one that is not there
    with sessions.begin() as session:
        delete(session, BadgeProgress.__table__, ("fan_id", "campaign_id", "badge_id"), gone)
        delete(session, BadgeProgress.__table__, ("fan_id", "campaign_id", "badge_id"), [])
    with sessions() as session:
        left = set(
            session.execute(select(BadgeProgress.fan_id, BadgeProgress.campaign_id, BadgeProgress.badge_id))
        )
    assert left == {k for k in keys if k not in gone} | {("x:0", "c2", "first")}
    assert len(left) == 300 - 1 + 1
