"""Many rows written through the driver's executemany, with SQLAlchemy's own SQL and types.

An ingest batch writes about nine rows per event (ledger, events, scores, progress, ...).
Given dicts, SQLAlchemy builds and converts each row's parameters one by one
(`construct_params`, bind processors), which took longer than SQLite's own work. Here
each statement is compiled once per table, dialect and shape; rows come as tuples;
only the columns whose type converts values (times, JSON) are converted, a column at a
time, with the very bind processors SQLAlchemy would have called: the stored values
are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.jsontext import dumps
from storage.models.core import UtcDateTime
from storage.pg_arrays import array_text


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    order: tuple[int | None, ...]  # per driver parameter: index in the row, None for a default
    names: tuple[str, ...]  # driver parameter names (for named parameter styles)
    positional: bool
    processors: tuple[Callable[[Any], Any] | None, ...]  # per row column
    defaults: dict[int, Any]  # driver parameter position -> scalar column default


def delete(session: Session, table: Table, columns: Sequence[str], keys: Sequence[Sequence[Any]]) -> None:
    """Delete the rows whose `columns` (text columns, say a primary key) equal one of `keys`.

    On PostgreSQL one statement joins the table with the keys sent as arrays: a batch
    deletes the progress of every badge it saw earned, tens of thousands of rows, which
    as one statement per key cost the server a plan and a round of executor start-up each.
    """
    if not keys:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(f"k{i}" for i in range(len(columns)))
        arrays = ", ".join(f"CAST(%(k{i})s AS text[])" for i in range(len(columns)))
        match = " AND ".join(f"t.{column} = k.k{i}" for i, column in enumerate(columns))
        sql = f"DELETE FROM {table.name} AS t USING unnest({arrays}) AS k({names}) WHERE {match}"
        params = {f"k{i}": array_text(values) for i, values in enumerate(zip(*keys, strict=True))}
        connection.exec_driver_sql(sql, params)
        return
    match = " AND ".join(f"{column} = ?" for column in columns)
    connection.exec_driver_sql(f"DELETE FROM {table.name} WHERE {match}", [tuple(k) for k in keys])


def write(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    keys: Sequence[str] | None = None,
    update: Sequence[str] | None = None,
) -> None:
    """Insert `rows` (tuples in `columns` order); with `keys`, on conflict update the `update`
    columns, or do nothing when `update` is empty (as `state_store.upsert`)."""
    if not rows:
        return
    connection = session.connection()
    statement = _compile(connection.dialect, table, tuple(columns), tuple(keys or ()), tuple(update or ()))
    values = list(zip(*rows, strict=True))  # column-wise: convert only what needs it, at C speed
    for index, process in enumerate(statement.processors):
        if process is not None:
            values[index] = tuple(map(process, values[index]))
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(connection, table, tuple(columns), values, tuple(keys or ()), tuple(update or ()))
        return
    count = len(rows)
    ordered = [
        values[i] if i is not None else (statement.defaults[n],) * count
        for n, i in enumerate(statement.order)
    ]
    params: list[Any] = list(zip(*ordered, strict=True))
    if not statement.positional:
        names = statement.names
        params = [dict(zip(names, row, strict=True)) for row in params]
    connection.exec_driver_sql(statement.sql, params)


COPY_FROM = 64  # rows: below this, executemany is as quick as setting up a COPY


def _copy(
    connection: Connection,
    table: Table,
    columns: tuple[str, ...],
    values: list[tuple[Any, ...]],
    keys: tuple[str, ...],
    update: tuple[str, ...],
) -> None:
    """PostgreSQL: rows streamed with COPY, which costs the server and the driver a fraction
    of one INSERT per row. Straight into the table when nothing can conflict; otherwise
    into a temporary table of the same columns, then one INSERT ... SELECT ... ON CONFLICT."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    count = len(values[0]) if values else 0
    for column in table.c:  # a scalar default left out of `columns` (as executemany fills it)
        if column.name not in columns and column.default is not None and column.default.is_scalar:
            columns, values = (*columns, column.name), [*values, (column.default.arg,) * count]
    names = ", ".join(f'"{c}"' for c in columns)
    if not keys:
        _stream(cursor, f'COPY "{table.name}" ({names}) FROM STDIN', values)
        return
    stage = _stage(cursor, table, columns)
    _stream(cursor, f"COPY {stage} ({names}) FROM STDIN", values)
    conflict = ", ".join(f'"{k}"' for k in keys)
    action = (
        "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update) if update else "DO NOTHING"
    )
    cursor.execute(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {stage} ON CONFLICT ({conflict}) {action}'
    )
    cursor.execute(f"TRUNCATE {stage}")


def _stage(cursor: Any, table: Table, columns: tuple[str, ...]) -> str:
    """A temporary table with `columns` of `table`, emptied at every commit."""
    name = f"stage_{table.name}_{zlib.crc32(','.join(columns).encode()):08x}"
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "
        f'SELECT {names} FROM "{table.name}" WITH NO DATA'
    )
    return name


def _stream(cursor: Any, sql: str, values: list[tuple[Any, ...]]) -> None:
    with cursor.copy(sql) as copy:
        for row in zip(*values, strict=True):
            copy.write_row(row)


@lru_cache(maxsize=256)
def _compile(
    dialect: Dialect, table: Table, columns: tuple[str, ...], keys: tuple[str, ...], update: tuple[str, ...]
) -> _Statement:
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    stmt: Any = insert(table) if keys else table.insert()
    if keys and update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
        )
    elif keys:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    order: list[int | None] = []
    defaults: dict[int, Any] = {}
    for position, name in enumerate(names):
        if name in columns:
            order.append(columns.index(name))
        else:  # a column with a scalar default, left out of `columns` (e.g. spent points)
            default = table.c[name].default
            if default is None or not default.is_scalar:
                raise ValueError(f"{table.name}.{name} needs a value")
            order.append(None)
            defaults[position] = default.arg
    processors = tuple(_bind_processor(dialect, table.c[c].type) for c in columns)
    return _Statement(compiled.string, tuple(order), names, compiled.positional, processors, defaults)


def _bind_processor(dialect: Dialect, column_type: Any) -> Callable[[Any], Any] | None:
    """The column's own bind processor; on SQLite, JSON is written by `jsontext.dumps` and UTC times
    by `_utc_text`, to the same values in a fraction of the time."""
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if dialect.name != "sqlite" or process is None:
        return process
    if isinstance(column_type, type(UtcDateTime)):

        def to_text(value: Any) -> Any:
            return _utc_text(value) if type(value) is datetime else process(value)

        return to_text
    if isinstance(column_type, JSON) and dialect._json_serializer is None:  # type: ignore[attr-defined]

        def to_json(value: Any) -> Any:
            return process(value) if value is None else dumps(value)

        return to_json
    return process


def _utc_text(value: datetime) -> str:
    """A time as SQLite stores `UtcDateTime`: in UTC, with microseconds, without an offset
    (`2026-11-01 09:30:00.000000`)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]
