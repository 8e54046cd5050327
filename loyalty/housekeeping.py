"""Dropping the Earn API's short-lived records once they can no longer matter.

- Answers to idempotency keys: kept `API_IDEMPOTENCY_HOURS` for retries. A retry after
  that still credits an order once (orders are unique per partner) and redeems once
  (redemptions keep their request key); it only no longer gets the stored answer.
- Rate windows: a key's count for a minute is needed during that minute only.
- Signatures seen: kept twice the clock-skew window; older ones are refused as stale anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.models.loyalty import ApiIdempotency, ApiNonce, ApiRateWindow


@dataclass(frozen=True, slots=True)
class Forgotten:
    """How many records of each kind one run removed."""

    idempotency: int
    rate_windows: int
    signatures: int


def forget_old_api_records(
    session: Session, now: datetime, *, keep_answers: timedelta, skew: timedelta
) -> Forgotten:
    """Delete answers older than `keep_answers`, past minutes' counts and stale signatures."""
    minute = int(now.timestamp()) // 60
    answers = session.execute(delete(ApiIdempotency).where(ApiIdempotency.created_at < now - keep_answers))
    windows = session.execute(delete(ApiRateWindow).where(ApiRateWindow.window < minute))
    nonces = session.execute(delete(ApiNonce).where(ApiNonce.seen_at < now - 2 * skew))
    return Forgotten(
        int(answers.rowcount or 0),  # type: ignore[attr-defined]
        int(windows.rowcount or 0),  # type: ignore[attr-defined]
        int(nonces.rowcount or 0),  # type: ignore[attr-defined]
    )
