"""Small atomic writes the loyalty code needs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, model: type) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_new(session: Session, model: type, row: dict[str, Any]) -> bool:
    """Insert `row` unless its key exists; True when this call inserted it (atomic)."""
    stmt = _insert(session, model).values(**row).on_conflict_do_nothing().returning(literal_column("1"))
    return session.execute(stmt).first() is not None  # rowcount is not reliable here on psycopg


def increment(session: Session, model: type, key: dict[str, Any], column: str) -> int:
    """Add 1 to `column` of the row with `key` (made at 1), returning the new value (atomic)."""
    stmt = _insert(session, model).values(**key, **{column: 1})
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={column: getattr(model, column) + 1}
    ).returning(getattr(model, column))
    return int(session.execute(stmt).scalar_one())
