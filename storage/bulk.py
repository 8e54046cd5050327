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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    order: tuple[int | None, ...]  # per driver parameter: index in the row, None for a default
    names: tuple[str, ...]  # driver parameter names (for named parameter styles)
    positional: bool
    processors: tuple[Callable[[Any], Any] | None, ...]  # per row column
    defaults: dict[int, Any]  # driver parameter position -> scalar column default


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
    processors = tuple(table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns)
    return _Statement(compiled.string, tuple(order), names, compiled.positional, processors, defaults)
