"""The platforms' rules: deleted posts drop out, old posts leave the figures and lose their text.

`purge_deleted` is a job to run at least hourly (so a deletion is honoured within 24 hours):

1. it brings the aggregates up to date first, so every `retract` (a post deleted or a
   repost undone on its platform) has already taken the post out of every figure;
2. it removes the text, hashtags, mentions and links of each retracted event (once:
   it reads only the retractions stored since its last run, by `seq`);
3. events older than `retention_days` lose their text the same way, and listening
   and author rows for days before that window are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitoring.aggregate import cursor, set_cursor, update
from storage.models.core import StoredEvent
from storage.models.monitoring import AuthorDay, ListeningDay, ListeningTerm
from storage.state_store import chunks

CURSOR_DELETED = "purge-deleted"
CURSOR_OLD = "purge-before"  # epoch seconds: texts before this time are gone
PERSONAL = ("text", "hashtags", "mentions", "links")


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """How many events lost their text, and why."""

    deleted: int
    expired: int


def purge_deleted(session: Session, now: datetime, tz: tzinfo, retention_days: int = 90) -> PurgeReport:
    """Take deleted and expired posts out of the figures and remove their text (one transaction)."""
    update(session, tz)
    deleted = _purge_retracted(session)
    expired = _purge_before(session, now - timedelta(days=retention_days), tz)
    return PurgeReport(deleted, expired)


def _purge_retracted(session: Session) -> int:
    start = cursor(session, CURSOR_DELETED)
    rows = session.execute(
        select(StoredEvent.seq, StoredEvent.payload)
        .where(StoredEvent.seq > start, StoredEvent.type == "retract")
        .order_by(StoredEvent.seq)
    ).all()
    targets = [r.payload.get("attrs", {}).get("retracts") for r in rows]
    count = _strip(session, [t for t in targets if t])
    if rows:
        set_cursor(session, CURSOR_DELETED, rows[-1].seq)
    return count


def _purge_before(session: Session, cutoff: datetime, tz: tzinfo) -> int:
    done = datetime.fromtimestamp(cursor(session, CURSOR_OLD), tz=cutoff.tzinfo)
    ids = list(session.scalars(select(StoredEvent.id).where(StoredEvent.at >= done, StoredEvent.at < cutoff)))
    count = _strip(session, ids)
    first_day = cutoff.astimezone(tz).date()
    for model in (ListeningDay, ListeningTerm, AuthorDay):
        session.execute(delete(model).where(model.day < first_day))
    set_cursor(session, CURSOR_OLD, int(cutoff.timestamp()))
    return count


def _strip(session: Session, ids: list[str]) -> int:
    """Remove the personal content of these events' stored payloads; how many had any."""
    count = 0
    for part in chunks(ids):
        for event in session.scalars(select(StoredEvent).where(StoredEvent.id.in_(part))):
            if any(key in event.payload for key in PERSONAL):
                event.payload = {k: v for k, v in event.payload.items() if k not in PERSONAL}
                count += 1
    session.flush()
    return count
