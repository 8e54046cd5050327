"""Score stored events that have text but no polarity yet (an import, or a scorer upgrade).

The pipeline scores events as they are stored; this covers rows written another way,
and `rescore=True` re-scores every text event after the word lists changed.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from monitoring.aggregate import cursor, set_cursor
from monitoring.sentiment import score
from storage.models.core import StoredEvent

CHUNK = 20_000
CURSOR = "score"


def score_stored(session: Session, *, rescore: bool = False, chunk: int = CHUNK) -> int:
    """Give every stored text event its polarity and label; the number scored.

    Events are read once, by `seq` since the last run (a cursor), so a run after an
    import costs what the new events cost; `rescore=True` starts from the first event."""
    done = 0
    after = 0 if rescore else cursor(session, CURSOR)
    while True:
        query = select(StoredEvent.seq, StoredEvent.id, StoredEvent.payload).where(StoredEvent.seq > after)
        if not rescore:
            query = query.where(StoredEvent.sentiment.is_(None))
        rows = session.execute(query.order_by(StoredEvent.seq).limit(chunk)).all()
        if not rows:
            set_cursor(session, CURSOR, max(after, cursor(session, CURSOR)))
            return done
        values = []
        for row in rows:
            text = row.payload.get("text")
            if text:
                result = score(text)
                values.append({"key": row.id, "polarity": result.polarity, "label": result.label})
        if values:
            statement = (
                update(StoredEvent.__table__)
                .where(StoredEvent.__table__.c.id == bindparam("key"))
                .values(sentiment=bindparam("polarity"), sentiment_label=bindparam("label"))
            )
            session.connection().execute(statement, values)
        done += len(values)
        after = rows[-1].seq
