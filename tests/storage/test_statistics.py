"""Planner statistics: a table is re-analysed once half its rows changed since its last analysis."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert, text

from storage.models.core import Fan
from storage.statistics import TABLES, Statistics

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def _add_fans(engine: Engine, first: int, count: int) -> None:
    """Insert fans and make their change counts visible to other sessions at once."""
    rows = [{"id": f"fan{n}", "created_at": NOW} for n in range(first, first + count)]
    with engine.begin() as connection:
        connection.execute(insert(Fan.__table__), rows)
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_stat_force_next_flush()"))


def test_only_tables_that_changed_by_half_are_analysed(db_engine: Engine) -> None:
    statistics = Statistics(db_engine, every_seconds=0)
    if db_engine.dialect.name == "sqlite":
        _add_fans(db_engine, 0, 2000)
        assert statistics.refresh() == ()  # SQLite plans without them
        return
    statistics.refresh()  # whatever earlier work left due
    assert "fans" not in statistics.refresh()  # nothing changed since

    _add_fans(db_engine, 0, 2000)  # 2,000 changes to a table of none
    assert "fans" in statistics.refresh()
    with db_engine.connect() as connection:
        assert connection.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'fans'")) == 2000

    _add_fans(db_engine, 2000, 600)  # 600 changes: not more than half of 2,000
    assert "fans" not in statistics.refresh()
    _add_fans(db_engine, 2600, 500)  # 1,100 since the analysis: more than half
    assert "fans" in statistics.refresh()


def _forget_analyses(engine: Engine, tables: tuple[str, ...]) -> None:
    """Make `tables` look never analysed (their statistics counters reset) or all analysed."""
    with engine.begin() as connection:
        if tables:
            for table in tables:
                connection.execute(
                    text("SELECT pg_stat_reset_single_table_counters(CAST(:t AS regclass))"), {"t": table}
                )
        else:
            connection.execute(text(f"ANALYZE {', '.join(TABLES)}"))
        connection.execute(text("SELECT pg_stat_force_next_flush()"))


def test_a_refresh_waits_for_its_interval(db_engine: Engine) -> None:
    if db_engine.dialect.name == "postgresql":
        _forget_analyses(db_engine, ())  # every table analysed once: none is urgent
    statistics = Statistics(db_engine, every_seconds=3600)
    _add_fans(db_engine, 0, 2000)
    assert statistics.refresh() == ()  # the first is due 5 s after start


def test_a_table_never_analysed_is_analysed_without_waiting(db_engine: Engine) -> None:
    """A table with no statistics at all is analysed at the first refresh after it has rows,
    interval or not; then it waits its turn like the others."""
    if db_engine.dialect.name == "sqlite":
        _add_fans(db_engine, 0, 2000)
        assert Statistics(db_engine, every_seconds=3600).refresh() == ()
        return
    postgres_engine = db_engine
    _forget_analyses(postgres_engine, ())
    _forget_analyses(postgres_engine, ("fans",))
    statistics = Statistics(postgres_engine, every_seconds=3600, unseen_every_seconds=0)
    _add_fans(postgres_engine, 0, 100)  # fewer changes than LEAST: nothing to learn yet
    assert statistics.refresh() == ()
    _add_fans(postgres_engine, 100, 2000)
    assert statistics.refresh() == ("fans",)
    _add_fans(postgres_engine, 2100, 5000)  # changed by more than half, but not its turn yet
    assert statistics.refresh() == ()
