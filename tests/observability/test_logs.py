"""Structured logs: one JSON object per line, events and requests tagged, no secrets."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from observability.logs import JsonFormatter, chosen_format, configure_logging, mask
from pipeline import ingest_events
from tests.loyalty_fixtures import call, make_fan, make_partner

TOKEN = "scrape-token-never-logged-42"


def _lines(buffer: io.StringIO) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_its_event() -> None:
    record = logging.LogRecord("fanfare.ingest", logging.WARNING, __file__, 1, "bad %s", ("input",), None)
    record.event_id, record.source = "x:1", "x:mentions"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["time"].endswith("+00:00") and parsed["level"] == "WARNING"
    assert {k: parsed[k] for k in ("logger", "message", "event_id", "source")} == {
        "logger": "fanfare.ingest",
        "message": "bad input",
        "event_id": "x:1",
        "source": "x:mentions",
    }


def test_the_format_is_json_unless_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert chosen_format(None, io.StringIO()) == "json"
    assert chosen_format(None, Terminal()) == "text"
    assert chosen_format("text", io.StringIO()) == "text"
    with pytest.raises(ValueError, match="json or text"):
        chosen_format("xml")


def test_credentials_are_masked_whatever_logs_them() -> None:
    assert mask("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert mask("key ffk_live_AbC-123_x used") == "key ffk_live_*** used"
    assert mask("/cb?state=1&token=zzz&x=2") == "/cb?state=1&token=***&x=2"


def test_an_ingest_and_api_calls_log_json_lines_without_secrets(loyalty_app, loyalty_client) -> None:  # type: ignore[no-untyped-def]
    loyalty_app.config["METRICS_TOKEN"] = TOKEN
    keys, fan = make_partner(loyalty_app), make_fan(loyalty_app)
    buffer = io.StringIO()
    configure_logging("json", stream=buffer)
    now = datetime.now(UTC)
    at = (now - timedelta(minutes=1)).isoformat()
    items = [
        {
            "id": "c1",
            "platform": "web",
            "type": "checkin",
            "at": at,
            "fan": fan,
            "attrs": {"action": "visit"},
        },
        {"id": "broken-1", "platform": "web", "type": "nonsense", "at": at},
    ]
    campaigns = loyalty_app.extensions["campaigns"].current()
    ingest_events(loyalty_app.extensions["db_sessions"], campaigns, items, source="x:mentions", now=now)
    body = {"fan": {"id": fan}, "order": "A-1", "amount": "12.50", "currency": "EUR"}
    answer = call(loyalty_client, keys["live"], "POST", "/api/v1/purchases", body, idem="k1")
    assert answer.status_code == 201
    scrape = loyalty_client.get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}", "X-Request-ID": "req-42"}
    )
    assert scrape.status_code == 200 and scrape.headers["X-Request-ID"] == "req-42"
    logging.getLogger("fanfare.test").warning("retrying with Authorization: Bearer %s", keys["live"])

    lines = _lines(buffer)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    quarantined = [line for line in lines if line["message"].startswith("event quarantined")]
    assert [(q["event_id"], q["source"], q["level"]) for q in quarantined] == [
        ("broken-1", "x:mentions", "WARNING")
    ]
    batches = [line for line in lines if line["message"].startswith("batch stored")]
    assert batches[0]["message"] == "batch stored: 1 accepted, 0 duplicate, 1 quarantined, 1 ledger entries"
    assert batches[1]["source"] == "api"  # the API's purchase went through the pipeline too
    requests = [line for line in lines if line["logger"] == "fanfare.web"]
    assert [r["message"].split()[:3] for r in requests] == [
        ["POST", "/api/v1/purchases", "201"],
        ["GET", "/metrics", "200"],
    ]
    assert requests[1]["request_id"] == "req-42" and len(requests[0]["request_id"]) == 32
    assert batches[1]["request_id"] == requests[0]["request_id"]  # lines of one request share its id
    text = buffer.getvalue()
    for secret in (*keys.values(), TOKEN, "password-1234"):
        assert secret not in text


def test_libraries_routine_lines_are_quieted_but_not_their_warnings() -> None:
    chosen = logging.getLogger("alembic.runtime.migration")
    chosen.setLevel(logging.INFO)  # an operator's own choice is kept
    quieted = [logging.getLogger(name) for name in ("apscheduler", "alembic.runtime.plugins")]
    try:
        for library in quieted:
            library.setLevel(logging.NOTSET)
        buffer = io.StringIO()
        configure_logging("json", stream=buffer)
        logging.getLogger("apscheduler.executors.default").info('Running job "x:mentions"')
        logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.autogenerate.schemas")
        logging.getLogger("apscheduler.executors.default").warning('Run time of job "x:mentions" was missed')
        chosen.info("Running upgrade 0014 -> 0015")
        logging.getLogger("jobs").info("x:mentions: ok, 1 fetched")
        assert [(line["logger"], line["level"]) for line in _lines(buffer)] == [
            ("apscheduler.executors.default", "WARNING"),
            ("alembic.runtime.migration", "INFO"),
            ("jobs", "INFO"),
        ]
    finally:
        chosen.setLevel(logging.NOTSET)


def test_an_empty_batch_is_not_logged_at_info(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    configure_logging("json", stream=buffer)
    campaigns, now = loyalty_app.extensions["campaigns"].current(), datetime.now(UTC)
    sessions = loyalty_app.extensions["db_sessions"]
    # A poll that found nothing still commits its checkpoint (`also`) through the pipeline.
    poll = {"source": "x:mentions", "now": now, "also": lambda session: None}
    ingest_events(sessions, campaigns, [], **poll)
    assert not [line for line in _lines(buffer) if line["message"].startswith("batch stored")]
    logging.getLogger("fanfare.ingest").setLevel(logging.DEBUG)
    try:
        ingest_events(sessions, campaigns, [], **poll)
    finally:
        logging.getLogger("fanfare.ingest").setLevel(logging.NOTSET)
    quiet = [line for line in _lines(buffer) if line["message"].startswith("batch stored")]
    assert [(line["level"], line["source"]) for line in quiet] == [("DEBUG", "x:mentions")]
