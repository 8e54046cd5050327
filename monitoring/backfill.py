"""Score stored events that have text but no polarity yet (an import, or a scorer upgrade).

The pipeline scores events as they are stored; this covers rows written another way,
and `rescore=True` re-scores every text event after the word lists changed.

A bulk backfill (more than one chunk of events) scores in a pool of worker processes
while this process reads the next chunk and writes the previous one's scores; each
distinct text of a chunk is scored once, always by the same worker, so a worker's
cache sees every repeat of it. Small runs (the usual few new events) stay in-process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from monitoring.aggregate import cursor, driver_rows, execute_many, set_cursor
from monitoring.sentiment import score, scorer
from storage.models.core import StoredEvent

CHUNK = 20_000
CURSOR = "score"
WORKERS = 2  # the machine's cores; 1 scores in this process only

Scores = dict[str, tuple[float, str]]


def score_stored(
    session: Session, *, rescore: bool = False, chunk: int = CHUNK, workers: int = WORKERS
) -> int:
    """Give every stored text event its polarity and label; the number scored.

    Events are read once, by `seq` since the last run (a cursor), so a run after an
    import costs what the new events cost; `rescore=True` starts from the first event."""
    done = 0
    start = 0 if rescore else cursor(session, CURSOR)
    rows = _read(session, start, chunk, rescore)
    pool: Executor | None = None
    previous: tuple[list[Any], Callable[[], Scores]] | None = None
    try:
        while rows:
            if pool is None and workers > 1 and len(rows) == chunk:
                pool = _pool(workers)
            pending = _submit({text for _, _, text in rows if text}, pool, workers)
            if previous:  # written while the workers score this chunk
                done += _write(session, previous[0], previous[1]())
            previous = (rows, pending)
            rows = _read(session, rows[-1][0], chunk, rescore)
        if previous:
            done += _write(session, previous[0], previous[1]())
    finally:
        if pool is not None:
            pool.shutdown()
    last = previous[0][-1][0] if previous else start
    set_cursor(session, CURSOR, max(last, cursor(session, CURSOR)))
    return done


def _read(session: Session, after: int, chunk: int, rescore: bool) -> list[Any]:
    """The next events after `seq`: only their (seq, id, text), not the whole payload, as the
    driver returns them."""
    text = StoredEvent.payload["text"].as_string().label("text")
    query = select(StoredEvent.seq, StoredEvent.id, text).where(StoredEvent.seq > after)
    if not rescore:
        query = query.where(StoredEvent.sentiment.is_(None))
    return driver_rows(session, query.order_by(StoredEvent.seq).limit(chunk))


def _write(session: Session, rows: list[Any], scores: Scores) -> int:
    values = [(key, *scores[text]) for _, key, text in rows if text]
    if values:
        table = StoredEvent.__table__
        statement = (
            update(table)
            .where(table.c.id == bindparam("key"))
            .values(sentiment=bindparam("polarity"), sentiment_label=bindparam("label"))
        )
        execute_many(session, statement, ("key", "polarity", "label"), values)
    return len(values)


def score_texts(texts: Iterable[str]) -> list[tuple[float, str]]:
    """(polarity, label) of each text, in order (what a worker runs)."""
    return [(result.polarity, result.label) for result in map(score, texts)]


def _submit(texts: set[str], pool: Executor | None, workers: int) -> Callable[[], Scores]:
    """Start scoring `texts`; the returned function waits for text -> (polarity, label)."""
    if pool is None:
        ready = dict(zip(texts, score_texts(texts), strict=True))
        return lambda: ready
    shares: list[list[str]] = [[] for _ in range(workers)]
    for text in texts:
        shares[hash(text) % workers].append(text)  # a text always goes to the same worker
    futures: list[tuple[list[str], Future[list[tuple[float, str]]]]] = [
        (share, pool.submit(score_texts, share)) for share in shares
    ]

    def collect() -> Scores:
        scores: Scores = {}
        for share, future in futures:
            scores.update(zip(share, future.result(), strict=True))
        return scores

    return collect


def _pool(workers: int) -> Executor:
    """Worker processes sharing this process's loaded word lists (forked after loading)."""
    scorer()  # loaded once here, inherited by the forked workers
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
