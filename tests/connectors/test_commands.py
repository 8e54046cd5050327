"""`flask connectors poll|status` on an app pointed at the sandbox by configuration only."""

from __future__ import annotations

import re
from pathlib import Path

from app import create_app
from connectors.sandbox.server import SandboxServer
from tests.connectors.helpers import MASTODON_YAML, SETTINGS_YAML

ROOT = Path(__file__).resolve().parents[2]


def test_poll_then_status(tmp_path: Path, sandbox: SandboxServer) -> None:
    (tmp_path / "connectors.yaml").write_text(SETTINGS_YAML)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "CAMPAIGNS_PATH": str(ROOT / "campaigns.yaml"),
            "CONNECTORS_PATH": str(tmp_path / "connectors.yaml"),
            "CONNECTORS_SANDBOX": sandbox.url,
        }
    )
    runner = app.test_cli_runner()
    polled = runner.invoke(args=["connectors", "poll", "x:mentions"])
    assert polled.exit_code == 0, polled.output
    assert polled.output.startswith("x:mentions: ok, 6 fetched, 6 event(s), 0 points, next at ")
    status = runner.invoke(args=["connectors", "status"]).output.splitlines()
    assert (
        status[0].startswith("x:mentions: last poll 0s ago, lag ")
        and ", 6 fetched, 6 events, 0 errors" in status[0]
    )
    assert status[1].startswith("    rate left: x.mentions 449/450 until ")
    assert status[2] == "x:search: last poll never, lag -, 0 fetched, 0 events, 0 errors, next now"
    spend = [line for line in status if line.startswith("x spend ")]
    assert len(spend) == 1 and spend[0].endswith(": $0.100 of $25 (1 requests, 8 posts and 6 users read)")
    assert "x policy: earn mention, quote, reply, retweet, share; allowed but risky: retweet" in status
    assert "facebook policy: earn comment, mention" in status
    assert any(
        line.startswith("x:retweets:2107108545131447506 cannot see: reposters: X lists at most the 100")
        for line in status
    )
    unknown = runner.invoke(args=["connectors", "poll", "nope"])
    assert unknown.exit_code == 1 and "no source 'nope'" in unknown.output


def test_status_shows_the_mastodon_sources_budget_policy_and_blind_spots(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    (tmp_path / "connectors.yaml").write_text(MASTODON_YAML)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "CAMPAIGNS_PATH": str(ROOT / "campaigns.yaml"),
            "CONNECTORS_PATH": str(tmp_path / "connectors.yaml"),
            "CONNECTORS_SANDBOX": sandbox.url,
        }
    )
    runner = app.test_cli_runner()
    polled = runner.invoke(args=["connectors", "poll", "mastodon"])
    assert polled.exit_code == 0, polled.output
    assert polled.output.splitlines()[0].startswith(
        "mastodon:notifications: ok, 5 fetched, 5 event(s), 0 points, next at "
    )
    status = runner.invoke(args=["connectors", "status"]).output.splitlines()
    assert status[0].startswith("mastodon:notifications: last poll 0s ago, lag ")
    assert ", 5 fetched, 5 events, 0 errors" in status[0]
    assert re.fullmatch(r"    rate left: mastodon\.api 299/300 until \d\d:\d\dZ", status[1]), status[1]
    assert [
        line.split(":")[1] for line in status if line.startswith("mastodon:") and "last poll" in line
    ] == [
        "notifications",
        "undone",
        "deletions",
    ]
    assert "mastodon policy: earn mention, quote, reply, share" in status
    assert "mastodon cannot see: quotes: only from Mastodon 4.5 on, and only accepted ones" in status
    assert any(
        line.startswith("mastodon:notifications cannot see: notifications: only activity") for line in status
    )
    assert not any(line.startswith("mastodon spend") for line in status)  # Mastodon's API costs nothing
