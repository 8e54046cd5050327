"""The demo seeds a ready-to-click database: events, fans, one login per role; twice is once."""

from __future__ import annotations

from sqlalchemy import func, select

from app import create_app
from storage.models.accounts import User
from storage.models.core import StoredEvent


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
        assert session.scalar(select(func.count()).select_from(StoredEvent)) == 559
        roles = sorted(session.scalars(select(User.role)))
    assert roles == ["admin", "community_manager", "fan", "marketer"]
