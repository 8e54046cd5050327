"""Tracked share links: issuing, click-backs once per visitor per day, shares checked against the code."""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from connectors.sandbox.server import SandboxServer
from connectors.sandbox.world import World, load_payload
from connectors.tracked_links import (
    OTHER_FAN,
    UNKNOWN_CODE,
    LinkError,
    issue_link,
    link_clicks,
    link_code,
    record_click,
    totals,
)
from storage.db import transaction
from storage.models.core import StoredEvent
from storage.models.links import LinkClick
from tests.connectors.helpers import MASTODON_YAML, T0, link_fans, points, rig

SECRET = "test-secret"
TARGET = "https://acme.example/autumn"


def _issue(sessions, fan: str, campaign: str = "listen") -> str:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return issue_link(session, fan, campaign, TARGET, T0).code


def _click(sessions, code: str, address: str, agent: str, days: int = 0) -> str | None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return record_click(session, code, SECRET, address, agent, T0 + timedelta(days=days, hours=1))


def test_codes_are_random_and_only_real_fans_and_web_targets_get_links(db_engine: Engine) -> None:
    r = rig(db_engine, "http://127.0.0.1:9", text=MASTODON_YAML)
    link_fans(r.sessions)
    first, second = _issue(r.sessions, "fan-lena"), _issue(r.sessions, "fan-lena")
    assert first != second and all(re.fullmatch(r"[A-Za-z0-9_-]{16}", c) for c in (first, second))
    with transaction(r.sessions) as session, pytest.raises(LinkError, match="no fan 'fan-nobody'"):
        issue_link(session, "fan-nobody", "listen", TARGET, T0)
    with transaction(r.sessions) as session, pytest.raises(LinkError, match="must be an http"):
        issue_link(session, "fan-lena", "listen", "javascript:alert(1)", T0)
    assert link_code(f"https://acme.example/s/{first}?utm=x") == first


def test_a_click_back_counts_once_per_visitor_per_day_and_never_stores_the_address(db_engine: Engine) -> None:
    r = rig(db_engine, "http://127.0.0.1:9", text=MASTODON_YAML)
    link_fans(r.sessions)
    lena, mika = _issue(r.sessions, "fan-lena"), _issue(r.sessions, "fan-mika", "other")
    assert _click(r.sessions, lena, "203.0.113.7", "Firefox") == TARGET
    _click(r.sessions, lena, "203.0.113.7", "Firefox")  # the same visitor again: not counted
    _click(r.sessions, lena, "203.0.113.7", "Safari")  # another browser behind the same address
    _click(r.sessions, lena, "203.0.113.7", "Firefox", days=1)  # the next day counts again
    _click(r.sessions, mika, "198.51.100.2", "Firefox")
    assert _click(r.sessions, "no-such-code", "203.0.113.7", "Firefox") is None
    with r.sessions() as session:
        rows = link_clicks(session)
        stored = session.scalars(select(LinkClick).order_by(LinkClick.id)).all()
        by_campaign = link_clicks(session, campaign_id="other")
    assert [(row.fan_id, row.clicks) for row in rows] == [("fan-lena", 3), ("fan-mika", 1)]
    assert totals(rows, "fan_id") == {"fan-lena": 3, "fan-mika": 1}
    assert totals(rows, "campaign_id") == {"listen": 3, "other": 1}
    assert [(row.code, row.clicks) for row in by_campaign] == [(mika, 1)]
    expected = hmac.new(SECRET.encode(), b"2026-11-20\n203.0.113.7\nFirefox", hashlib.sha256).hexdigest()
    assert stored[0].visitor == expected and stored[0].day == "2026-11-20"
    assert not any("203.0.113.7" in (c.visitor + c.day) for c in stored)


def _share(world: World, notification_id: str, status_id: str, who: dict, code: str) -> None:  # type: ignore[type-arg]
    mention, _ = load_payload("mastodon", "notifications_older.json")
    item = copy.deepcopy(mention)
    item["id"], item["account"] = notification_id, who
    item["status"].update(id=status_id, account=who)
    item["status"]["content"] = (
        f'<p>My pick this autumn <a href="https://acme.example/s/{code}" rel="nofollow">'
        f'<span class="invisible">https://</span>acme.example/s/{code}</a></p>'
    )
    world.add_notification(item)


def test_a_share_earns_only_with_the_authors_own_code(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    link_fans(r.sessions)
    lena_code = _issue(r.sessions, "fan-lena")
    quote, reblog, _ = load_payload("mastodon", "notifications.json")
    lena, mika = reblog["account"], quote["account"]
    world.m_notifications.clear()
    _share(world, "90000001", "115400000000000001", lena, lena_code)
    _share(world, "90000002", "115400000000000002", mika, lena_code)  # Mika posts Lena's link
    _share(world, "90000003", "115400000000000003", mika, "made-up-code")
    outcome = r.poll("mastodon:notifications")
    assert (outcome.events, outcome.points) == (3, 10)
    assert points(r.sessions) == {"fan-lena": 10}
    with r.sessions() as session:
        found = {
            e.id: (e.fan_id, {k: v for k, v in e.payload["attrs"].items() if k != "tracked_link"})
            for e in session.scalars(select(StoredEvent).where(StoredEvent.type == "share"))
        }
    assert found == {
        "mastodon:share:115400000000000001": ("fan-lena", {"link_code": lena_code, "link_fan": "fan-lena"}),
        "mastodon:share:115400000000000002": (
            "fan-mika",
            {"link_code": lena_code, "not_credited": OTHER_FAN},
        ),
        "mastodon:share:115400000000000003": (
            "fan-mika",
            {"link_code": "made-up-code", "not_credited": UNKNOWN_CODE},
        ),
    }
