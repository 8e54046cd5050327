"""`enqueue` and `worker` from the command line."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models.core import LedgerEntry
from storage.models.inbox import InboxEvent
from storage.schema import ensure_schema

CAMPAIGNS = "version: 1\ncampaigns:\n  - id: c\n    rules:\n      - {id: r, on: retweet, points: 10}\n"


def _event(n: int) -> str:
    event = {"id": f"e{n}", "platform": "x", "type": "retweet", "at": f"2026-12-01T1{n}:00:00Z"}
    return json.dumps(event | {"actor": {"id": str(n)}, "post": {"id": "p", "author": "club"}})


def test_a_file_queued_and_drained_awards_its_points_and_bad_lines_are_quarantined(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app import create_app

    campaigns = tmp_path / "campaigns.yaml"
    campaigns.write_text(CAMPAIGNS, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([_event(1), "{not json", _event(2)]) + "\n", encoding="utf-8")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "SECRET_KEY": "t",
            "CAMPAIGNS_PATH": str(campaigns),
        }
    )
    ensure_schema(app.extensions["db_engine"])
    runner = app.test_cli_runner()
    queued = runner.invoke(args=["enqueue", str(events)])
    assert queued.exit_code == 0, queued.output
    assert "2 event(s) queued, 0 duplicate(s) ignored, 1 quarantined" in queued.output
    drained = runner.invoke(args=["worker", "--until-empty"])
    assert drained.exit_code == 0, drained.output
    assert "worker: 2 event(s) in 1 batch(es)" in drained.output
    with app.extensions["db_sessions"]() as session:
        assert session.scalar(select(func.sum(LedgerEntry.points))) == 20
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 0


def test_a_worker_refuses_a_database_whose_schema_is_not_current(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app import create_app

    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite'}", "SECRET_KEY": "t"}
    )
    ensure_schema(app.extensions["db_engine"], "0012")  # the release before the inbox
    result = app.test_cli_runner().invoke(args=["worker", "--until-empty"])
    assert result.exit_code == 2
    assert "run `flask --app app db upgrade` first" in result.output
