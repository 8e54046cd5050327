"""Processing-order numbers (`seq`) handed out in commit order.

Batches run concurrently (one per worker) but readers follow `seq` as a watermark
(leaderboard indexes, monitoring's cursor), which is safe only if a number is never
committed after a higher one. So a batch numbers its rows provisionally while it works
(from `PROVISIONAL` up, above any real number) and takes its real numbers just before
writing: `allocate` bumps the counter row, and the row's lock, held until the batch
commits, makes the next batch's numbers wait for this one's commit.
"""

from __future__ import annotations

from sqlalchemy import func, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models.core import BadgeGrant, LedgerEntry, StoredEvent
from storage.models.inbox import EngineCounter

PROVISIONAL = 1 << 60  # far above any number a database will reach


def allocate(session: Session, count: int) -> int:
    """Reserve `count` numbers (may be 0) and return the last number before them."""
    table = EngineCounter.__table__
    bump = (
        update(table)
        .where(table.c.name == "seq")
        .values(value=table.c.value + count)
        .returning(table.c.value)
    )
    value = session.execute(bump).scalar()
    if value is None:  # a schema made without migrations: start from what is stored
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        first = insert(table).values(name="seq", value=_highest(session)).on_conflict_do_nothing()
        session.execute(first)  # several batches may start the counter at once: one wins
        value = session.execute(bump).scalar_one()
    return int(value) - count


def _highest(session: Session) -> int:
    parts = union_all(
        select(func.max(LedgerEntry.seq)), select(func.max(BadgeGrant.seq)), select(func.max(StoredEvent.seq))
    ).subquery()
    return int(session.scalar(select(func.max(parts.c[0]))) or 0)


def real(seq: int | None, base: int) -> int | None:
    """The real number of a provisional one (others are real already)."""
    if seq is None or seq <= PROVISIONAL:
        return seq
    return base + (seq - PROVISIONAL)
