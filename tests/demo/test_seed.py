"""The demo seeds a ready-to-click database: events, fans, one login per role; twice is once."""

from __future__ import annotations

from sqlalchemy import func, select

from app import create_app
from storage.models.accounts import User
from storage.models.core import LedgerEntry, StoredEvent
from storage.models.monitoring import InfluencerFlag


def test_demo_seed_loads_events_and_logins_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # an empty database: the demo migrates it itself, as `make run` does on a fresh machine
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}", "SECRET_KEY": "t"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "559 event(s) accepted" in first.output and "already" not in first.output
    for role in ("fan", "marketer", "community_manager", "admin"):
        assert f"  {role}" in first.output
    again = runner.invoke(args=["demo", "--no-serve"])
    assert "0 event(s) accepted" in again.output
    assert "already in this database (seeded before); nothing changed" in again.output
    with app.extensions["db_sessions"]() as session:
        demo = select(func.count()).select_from(StoredEvent).where(~StoredEvent.id.in_(_voices()))
        assert session.scalar(demo) == 559
        roles = sorted(session.scalars(select(User.role)))
        assert roles == ["admin", "community_manager", "fan", "marketer"]
        # community managers have this week's voices to review, whatever the day of the demo
        flagged = dict(session.execute(select(InfluencerFlag.author, InfluencerFlag.status)).all())
        assert flagged == {"x:kaffee_kritik": "flagged", "x:berlin_brews": "flagged"}
        assert "2 influencer(s) waiting for a community manager's review" in first.output
        voices = ["x:4200000001", "x:4200000002", "x:4200000003"]
        assert session.scalar(select(func.count()).where(LedgerEntry.fan_id.in_(voices))) == 0


def _voices() -> list[str]:
    from datetime import UTC, datetime

    from demo.voices import voice_events

    return [event["id"] for event in voice_events(datetime.now(UTC).date())]
