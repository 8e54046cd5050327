"""/metrics: who may read it, and its values after an ingest and an API error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from pipeline import ingest_events
from storage.db import transaction
from storage.models.connectors import ConnectorSource
from tests.loyalty_fixtures import call, make_fan, make_partner

TOKEN = "metrics-token-for-tests-0123456789"


def _scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:  # type: ignore[no-untyped-def]
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _delta(after, before, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_metrics_need_the_token_or_an_admin(loyalty_app, loyalty_client, loyalty_login) -> None:  # type: ignore[no-untyped-def]
    assert getattr(loyalty_app.view_functions["metrics.scrape"], "api_key_auth", False)
    assert loyalty_client.get("/metrics").status_code == 401  # no token configured: admins only
    loyalty_app.config["METRICS_TOKEN"] = TOKEN
    assert loyalty_client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert loyalty_client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    loyalty_login("marketer")
    assert loyalty_client.get("/metrics").status_code == 401
    loyalty_client.post("/logout")
    loyalty_login("admin", "boss@example.org")
    assert loyalty_client.get("/metrics").status_code == 200


def test_an_ingest_and_an_api_error_show_in_the_metrics(loyalty_app, loyalty_client) -> None:  # type: ignore[no-untyped-def]
    loyalty_app.config["METRICS_TOKEN"] = TOKEN
    keys, fan = make_partner(loyalty_app), make_fan(loyalty_app)
    now = datetime.now(UTC)
    with transaction(loyalty_app.extensions["db_sessions"]) as session:
        session.add(
            ConnectorSource(
                name="x:mentions",
                platform="x",
                last_ok_at=now - timedelta(minutes=5),
                newest_at=now - timedelta(hours=1),
            )
        )
    before = _scrape(loyalty_client)
    at = (now - timedelta(minutes=1)).isoformat()
    checkin = {"platform": "web", "type": "checkin", "at": at, "fan": fan, "attrs": {"action": "visit"}}
    items = [
        checkin | {"id": "c1"},
        checkin | {"id": "c1"},  # the same event twice in one batch
        checkin | {"id": "c2", "at": (now - timedelta(seconds=30)).isoformat()},  # 1 visit a day earns
        {"id": "bad", "type": "nonsense"},
    ]
    campaigns = loyalty_app.extensions["campaigns"].current()
    report = ingest_events(
        loyalty_app.extensions["db_sessions"], campaigns, items, source="x:mentions", now=now
    )
    assert (report.accepted, report.duplicates, report.rejected, report.points) == (2, 1, 1, 20)
    assert loyalty_client.get("/api/v1/me").status_code == 401
    bad_body = {"fan": {"id": fan}, "order": "A-1", "amount": "-3", "currency": "EUR"}
    assert (
        call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", bad_body, idem="k").status_code == 422
    )

    after = _scrape(loyalty_client)
    events = "fanfare_events_total"
    assert _delta(after, before, events, source="x:mentions", outcome="accepted") == 2
    assert _delta(after, before, events, source="x:mentions", outcome="duplicate") == 1
    assert _delta(after, before, events, source="x:mentions", outcome="rejected") == 1
    # c1: 20 points for the day's visit; c2: an entry of 0 noted "capped" (1 visit a day).
    assert _delta(after, before, "fanfare_ledger_entries_total", source="x:mentions") == 2
    assert _delta(after, before, "fanfare_points_awarded_total", source="x:mentions") == 20
    assert _delta(after, before, "fanfare_api_errors_total", endpoint="api_v1.me", status="401") == 1
    assert _delta(after, before, "fanfare_api_errors_total", endpoint="api_v1.purchase", status="422") == 1
    assert after[("fanfare_quarantined_events", (("source", "x:mentions"),))] == 1
    lag = after[("fanfare_ingest_lag_seconds", (("source", "x:mentions"),))]
    assert 300 <= lag < 400
    assert 3600 <= after[("fanfare_source_newest_activity_age_seconds", (("source", "x:mentions"),))] < 3700


def test_a_rolled_back_batch_counts_nothing(loyalty_app, loyalty_client) -> None:  # type: ignore[no-untyped-def]
    loyalty_app.config["METRICS_TOKEN"] = TOKEN
    fan = make_fan(loyalty_app)
    now = datetime.now(UTC)
    before = _scrape(loyalty_client)
    campaigns = loyalty_app.extensions["campaigns"].current()
    item = {"id": "c9", "platform": "web", "type": "checkin", "at": now.isoformat(), "fan": fan, "attrs": {}}

    def fail(_session) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("the caller's own write failed")

    try:
        ingest_events(
            loyalty_app.extensions["db_sessions"], campaigns, [item], source="api", now=now, also=fail
        )
    except RuntimeError:
        pass
    after = _scrape(loyalty_client)
    assert _delta(after, before, "fanfare_events_total", source="api", outcome="accepted") == 0
