"""SQLAlchemy 2 engine and sessions; what flaskr's db.py does, for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from storage.jsontext import dumps, loads
from storage.pg_arrays import array_text

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=dumps, json_deserializer=loads)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # An ingest batch updates index pages all over tables of hundreds of MiB; with the
    # default 2 MiB cache they are read and spilled again and again (measured: a sixth of
    # ingest's CPU). At most 128 MiB per connection, and only as the database grows.
    cur.execute("PRAGMA cache_size=-131072")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


ENGINE_STATE_LOCK_ID = 0x46414E46  # arbitrary constants naming what a lock protects, for PostgreSQL
MONITORING_LOCK_ID = 0x46414E4D


FAN_LOCKS = 1  # namespaces of the per-key locks (`take_keys`)
CHALLENGE_LOCKS = 2
PARTNER_REFERENCE_LOCKS = 3


def take_engine_state(session: Session) -> None:
    """Have the whole engine state to this transaction alone until it ends.

    For work that reads across fans (judging closed board periods): it waits for every
    batch in flight, and batches wait for it.
    """
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ENGINE_STATE_LOCK_ID})
    else:
        _take_sqlite_writer(session)


def share_engine_state(session: Session) -> None:
    """Take part in the engine state beside other batches until the transaction ends.

    Batches share it and then lock the fans they touch (`take_keys`), so batches of different
    fans run at once; `take_engine_state` waits for all of them. SQLite has one writer at a
    time anyway: the batch takes it.
    """
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:id)"), {"id": ENGINE_STATE_LOCK_ID})
    else:
        _take_sqlite_writer(session)


def take_keys(session: Session, namespace: int, keys: Iterable[str]) -> None:
    """Hold a lock per key (a fan, a challenge) until the transaction ends, cluster-wide.

    A batch loads a fan's totals, adds to them and writes them back; two batches of one fan
    at once would lose one's additions. Locks are taken in one statement in a fixed order
    (by hash), so two batches never wait for each other in a circle. On SQLite the writer
    lock taken by `share_engine_state` already covers every key.
    """
    wanted = sorted(set(keys))
    if not wanted or not _is_postgresql(session):
        return
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:ns, k) FROM "
            "(SELECT DISTINCT hashtext(key) AS k FROM unnest(CAST(:keys AS text[])) AS key ORDER BY k) AS o"
        ),
        {"ns": namespace, "keys": array_text(wanted)},
    )


def take_lock(session: Session, lock_id: int) -> None:
    """Hold `lock_id` until the transaction ends, across every process of the cluster.

    PostgreSQL: a transaction-level advisory lock. SQLite: a write that changes nothing,
    which takes the database's single write lock before anything is read (other writers
    wait for it), so any lock id serialises with every other writer.
    """
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
    else:
        _take_sqlite_writer(session)


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _take_sqlite_writer(session: Session) -> None:
    session.execute(text("DELETE FROM quarantine WHERE 0 = 1"))
