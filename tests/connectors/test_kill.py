"""A poll killed (SIGKILL) between two pages, then restarted: no gap, no duplicate award."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from sqlalchemy import func, select

from connectors.sandbox.server import SandboxServer
from connectors.sandbox.world import Fault, World
from storage.db import make_engine, make_sessionmaker
from storage.models.connectors import ConnectorSource
from storage.models.core import LedgerEntry
from storage.schema import ensure_schema
from tests.connectors.helpers import CAMPAIGNS_YAML, MASTODON_YAML, SETTINGS_YAML, link_fans, points, stored

ROOT = Path(__file__).resolve().parents[2]


def _poll(
    tmp_path: Path, sandbox_url: str, source: str = "x:mentions", page_size: int = 5
) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'kill.sqlite'}",
        FANFARE_CAMPAIGNS_PATH=str(tmp_path / "campaigns.yaml"),
        FANFARE_CONNECTORS_PATH=str(tmp_path / "connectors.yaml"),
        FANFARE_CONNECTORS_SANDBOX=sandbox_url,
        FANFARE_CONNECTORS_PAGE_SIZE=str(page_size),
    )
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen(
        [flask, "--app", "app", "connectors", "poll", source],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_poll_killed_mid_way_resumes_from_its_checkpoint(
    tmp_path: Path, sandbox: SandboxServer, world: World
) -> None:
    (tmp_path / "campaigns.yaml").write_text(textwrap.dedent(CAMPAIGNS_YAML))
    (tmp_path / "connectors.yaml").write_text(SETTINGS_YAML)
    engine = make_engine(f"sqlite:///{tmp_path / 'kill.sqlite'}")
    ensure_schema(engine)
    sessions = make_sessionmaker(engine)
    link_fans(sessions)

    second_page = threading.Event()
    world.script("x.mentions", Fault(serve=True), Fault(hang_seconds=3, reached=second_page, serve=True))
    first = _poll(tmp_path, sandbox.url)
    assert second_page.wait(60), first.communicate()[0]
    first.send_signal(signal.SIGKILL)  # page 1 is stored; the request for page 2 is in flight
    assert first.wait(10) == -signal.SIGKILL
    first.communicate()  # close its pipe

    with sessions() as session:
        cursor = session.get(ConnectorSource, "x:mentions").cursor
    assert set(stored(sessions, "x:")) == {
        "x:mention:2107383494341560990",
        "x:reply:2107158876779450983",
        "x:mention:2107141520749495273",
        "x:mention:2107133786452922514",
        "x:quote:2107124273771536482",
    }
    assert cursor["since_id"] is None and cursor["pending"]["newest"] == "2107383494341560990"

    second = _poll(tmp_path, sandbox.url)
    output = second.communicate(timeout=60)[0]
    assert second.returncode == 0, output
    assert "x:mentions: ok, 1 fetched, 1 event(s)" in output
    mentions = [q for route, q in world.requests if route == "x.mentions"]
    assert mentions[-1].get("pagination_token") == cursor["pending"]["token"]  # resumed, not restarted

    assert len(stored(sessions, "x:")) == 6
    assert points(sessions) == {"fan-lena": 10, "fan-mika": 5, "fan-critic": 15}
    with sessions() as session:
        assert session.get(ConnectorSource, "x:mentions").cursor == {"since_id": "2107383494341560990"}
        assert (
            session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.points != 0)) == 4
        )
    engine.dispose()


def test_a_mastodon_poll_killed_mid_way_resumes_after_its_last_stored_page(
    tmp_path: Path, sandbox: SandboxServer, world: World
) -> None:
    (tmp_path / "campaigns.yaml").write_text(textwrap.dedent(CAMPAIGNS_YAML))
    (tmp_path / "connectors.yaml").write_text(MASTODON_YAML)
    engine = make_engine(f"sqlite:///{tmp_path / 'kill.sqlite'}")
    ensure_schema(engine)
    sessions = make_sessionmaker(engine)
    link_fans(sessions)

    second_page = threading.Event()
    world.script(
        "mastodon.notifications", Fault(serve=True), Fault(hang_seconds=3, reached=second_page, serve=True)
    )
    first = _poll(tmp_path, sandbox.url, "mastodon:notifications", page_size=2)
    assert second_page.wait(60), first.communicate()[0]
    first.send_signal(signal.SIGKILL)  # page 1 is stored; the request for page 2 is in flight
    assert first.wait(10) == -signal.SIGKILL
    first.communicate()

    assert set(stored(sessions, "mastodon:")) == {
        "mastodon:favourite:115327044120511233:109411823740012234",
        "mastodon:mention:115327099000210433",
    }
    with sessions() as session:
        assert session.get(ConnectorSource, "mastodon:notifications").cursor == {"min_id": "88411688"}

    second = _poll(tmp_path, sandbox.url, "mastodon:notifications", page_size=2)
    output = second.communicate(timeout=60)[0]
    assert second.returncode == 0, output
    assert "mastodon:notifications: ok, 3 fetched, 3 event(s), 30 points" in output
    calls = [q for route, q in world.requests if route == "mastodon.notifications"]
    assert [c["min_id"] for c in calls] == ["0", "88411688", "88411688", "88411873"]
    assert len(stored(sessions, "mastodon:")) == 5
    assert points(sessions) == {"fan-lena": 15, "fan-mika": 15}
    engine.dispose()
