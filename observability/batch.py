"""What happens once a batch of the pipeline has committed: metrics and log lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from observability import metrics

log = logging.getLogger("fanfare.ingest")


def after_commit(
    session: Session,
    source: str,
    events: list[Any],
    outcomes: Mapping[str, Any],
    bad: list[Any],
    entries: list[Any],
) -> None:
    """Count and log a batch once its transaction commits (a rolled-back one did nothing).

    `outcomes` has one per distinct event id, so the rest of `events` were an event sent again.
    """
    statuses = [o.status for o in outcomes.values()] + ["duplicate"] * (len(events) - len(outcomes))
    rejected, written = list(bad), list(entries)
    accepted = [event_id for event_id, o in outcomes.items() if o.status == "accepted"]

    def done() -> None:
        metrics.record_batch(source, statuses, len(rejected), written)
        for event_id in accepted:
            log.debug("event accepted", extra={"event_id": event_id, "source": source})
        for item in rejected:
            extra = {"event_id": _event_id(item.raw), "source": source}
            log.warning("event quarantined: %s", item.error, extra=extra)
        # An empty batch (a poll that found nothing) is not news: the job's own line says so.
        log.log(
            logging.INFO if statuses or rejected else logging.DEBUG,
            "batch stored: %d accepted, %d duplicate, %d quarantined, %d ledger entries",
            len(accepted),
            statuses.count("duplicate"),
            len(rejected),
            len(written),
            extra={"source": source},
        )

    metrics.on_commit(session, done)


def _event_id(raw: str) -> str | None:
    """The id a quarantined input claims, when it is JSON with a text `id`."""
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    found = value.get("id") if isinstance(value, dict) else None
    return found[:300] if isinstance(found, str) else None
