"""The Earn API's short-lived records are dropped once they can no longer matter (both databases)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from loyalty.housekeeping import Forgotten, forget_old_api_records
from storage.db import transaction
from storage.models.loyalty import ApiIdempotency, ApiNonce, ApiRateWindow
from tests.loyalty.conftest import NOW


def test_old_answers_past_minutes_and_stale_signatures_go(sessions) -> None:  # type: ignore[no-untyped-def]
    minute = int(NOW.timestamp()) // 60
    with transaction(sessions) as session:
        for key, age in (("old", timedelta(hours=73)), ("fresh", timedelta(hours=71))):
            session.add(
                ApiIdempotency(
                    partner_id=1,
                    mode="live",
                    idem_key=key,
                    request_hash="h",
                    status_code=201,
                    response={},
                    created_at=NOW - age,
                )
            )
        session.add_all(ApiRateWindow(key_id=1, window=minute - n, count=3) for n in (0, 1, 30))
        session.add_all(
            ApiNonce(key_id=1, signature=f"s{n}", seen_at=NOW - timedelta(seconds=n)) for n in (10, 599, 601)
        )
    with transaction(sessions) as session:
        forgotten = forget_old_api_records(
            session, NOW, keep_answers=timedelta(hours=72), skew=timedelta(seconds=300)
        )
    assert forgotten == Forgotten(idempotency=1, rate_windows=2, signatures=1)
    with sessions() as session:
        assert session.scalars(select(ApiIdempotency.idem_key)).all() == ["fresh"]
        assert session.scalars(select(ApiRateWindow.window)).all() == [minute]
        assert sorted(session.scalars(select(ApiNonce.signature))) == ["s10", "s599"]
