"""The campaigns in force: a changed file is picked up, a bad one never replaces a good one."""

from __future__ import annotations

import os
from pathlib import Path

from engine.rules.registry import CampaignRegistry

GOOD = "version: 1\ncampaigns:\n  - id: one\n"
ALSO_GOOD = "version: 1\ncampaigns:\n  - id: one\n  - id: two\n"
BAD = "version: 1\ncampaigns:\n  - id: one\n    bogus: 1\n"


def _write(path: Path, text: str, tick: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(tick * 10**9, tick * 10**9))  # distinct mtimes without sleeping


def test_reloads_a_changed_file_and_keeps_the_last_good_one(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.yaml"
    _write(path, GOOD, 1)
    clock = [0.0]
    registry = CampaignRegistry(path, interval=2.0, clock=lambda: clock[0])
    assert [c.id for c in registry.current().campaigns] == ["one"]

    _write(path, BAD, 2)
    clock[0] = 1.0
    assert [c.id for c in registry.current().campaigns] == ["one"]  # not looked at yet
    clock[0] = 3.0
    assert [c.id for c in registry.current().campaigns] == ["one"]  # bad file: last good stays
    assert not registry.status.ok
    assert "the last good campaigns stay in force" in registry.status.message
    assert "campaigns[0].bogus" in str(registry.status.errors[0])

    _write(path, ALSO_GOOD, 3)
    clock[0] = 6.0
    assert [c.id for c in registry.current().campaigns] == ["one", "two"]
    assert registry.status.ok


def test_a_bad_first_file_leaves_no_campaigns_in_force(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.yaml"
    _write(path, BAD, 1)
    registry = CampaignRegistry(path)
    assert registry.current() is None
    assert "no campaigns are in force" in registry.status.message
