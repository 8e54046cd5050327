"""Mastodon.py against the sandbox, through the poller into the database, with exact points."""

from __future__ import annotations

import copy
from datetime import timedelta

from sqlalchemy import Engine, select, update

from connectors.sandbox.server import SandboxServer
from connectors.sandbox.world import MASTODON_STATUS, Fault, World, load_payload
from pipeline import ingest_events
from storage.models.connectors import ConnectorSource
from storage.models.core import QuarantinedEvent, StoredEvent
from tests.connectors.helpers import CAMPAIGNS, MASTODON_YAML, link_fans, points, retracted, rig, stored

# Lena: reply 5 + reblog (a share) 10; her favourite earns nothing (Mastodon policy). Mika: quote 15.
EXPECTED_POINTS = {"fan-lena": 15, "fan-mika": 15}
EXPECTED_EVENTS = {
    "mastodon:favourite:115327044120511233:109411823740012234": "fan-lena",
    "mastodon:mention:115327099000210433": None,  # bean_counter@fosstodon.example: not linked
    "mastodon:reply:115327121009843201": "fan-lena",
    "mastodon:reblog:115327044120511233:109411823740012234": "fan-lena",
    "mastodon:quote:115327318843220517": "fan-mika",
}
NOTIFICATIONS = "mastodon:notifications"


def _link(url: str, min_id: str) -> dict[str, str]:
    return {
        "Link": f'<{url}/api/v1/notifications?max_id=1>; rel="next", '
        f'<{url}/api/v1/notifications?min_id={min_id}>; rel="prev"'
    }


def test_a_full_poll_scores_linked_fans_by_the_mastodon_policy(
    db_engine: Engine, sandbox: SandboxServer
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    link_fans(r.sessions)
    assert r.poll_all() == {
        "mastodon:notifications": "ok",
        "mastodon:undone": "ok",
        "mastodon:deletions": "ok",
    }
    assert stored(r.sessions, "mastodon:") == EXPECTED_EVENTS
    assert points(r.sessions) == EXPECTED_POINTS


def test_pages_follow_the_prev_link_forwards_and_store_min_id(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML, page_size=2)
    link_fans(r.sessions)
    outcome = r.poll(NOTIFICATIONS)
    assert (outcome.status, outcome.fetched, outcome.events, outcome.points) == ("ok", 5, 5, 30)
    calls = [q for route, q in world.requests if route == "mastodon.notifications"]
    assert [c["min_id"] for c in calls] == ["0", "88411688", "88411873"]
    assert calls[0]["types[]"] == "mention,reblog,quote,favourite" and calls[0]["limit"] == "2"
    with r.sessions() as session:
        assert session.get(ConnectorSource, NOTIFICATIONS).cursor == {"min_id": "88412011"}
    again = r.poll(NOTIFICATIONS)
    assert (again.fetched, again.events) == (0, 0) and world.requests[-1][1]["min_id"] == "88412011"


def test_a_second_poll_from_scratch_yields_the_same_ids_and_awards_nothing(
    db_engine: Engine, sandbox: SandboxServer
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    link_fans(r.sessions)
    r.poll(NOTIFICATIONS)
    with r.sessions.begin() as session:
        session.execute(update(ConnectorSource).values(cursor={}))
    again = r.poll(NOTIFICATIONS)
    assert (again.fetched, again.events) == (5, 0)
    assert stored(r.sessions, "mastodon:") == EXPECTED_EVENTS and points(r.sessions) == EXPECTED_POINTS


def test_a_429_waits_until_the_reset_the_server_names(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    reset = (r.clock.now + timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    world.script("mastodon.notifications", Fault(429, {"error": "Too many requests"}, headers))
    first = r.poll(NOTIFICATIONS, force=False)
    assert (first.status, first.message) == ("rate-limited", "mastodon notifications: 429 rate limited")
    assert first.next_due == r.clock.now + timedelta(minutes=4)
    r.clock.advance(minutes=3)
    assert r.poll(NOTIFICATIONS, force=False).status == "not-due"
    blocked = r.poll(NOTIFICATIONS)  # forced, but the budget is still empty: no request is sent
    assert blocked.status == "rate-limited" and len(world.requests) == 1
    r.clock.advance(minutes=1, seconds=1)
    second = r.poll(NOTIFICATIONS, force=False)
    assert (second.status, second.events) == ("ok", 5)


def test_a_503_backs_off_then_succeeds(db_engine: Engine, sandbox: SandboxServer, world: World) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    unavailable = Fault(503, {"error": "Service Unavailable"})
    world.script("mastodon.notifications", unavailable, copy.copy(unavailable))
    first, second = r.poll(NOTIFICATIONS), r.poll(NOTIFICATIONS)
    assert (first.status, first.message) == ("backoff", "mastodon notifications: 503 server error")
    assert (second.status, second.next_due) == ("backoff", r.clock.now + timedelta(seconds=60))
    ok = r.poll(NOTIFICATIONS)
    assert (ok.status, ok.events) == ("ok", 5)
    with r.sessions() as session:
        assert session.get(ConnectorSource, NOTIFICATIONS).failures == 0


def test_timeouts_and_garbled_answers_are_transient(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML, timeout=0.3)
    world.script("mastodon.notifications", Fault(200, [], hang_seconds=1.0), Fault(200, raw='[{"id": '))
    slow = r.poll(NOTIFICATIONS)
    assert (slow.status, slow.message) == ("backoff", "mastodon notifications: timed out")
    garbled = r.poll(NOTIFICATIONS)
    assert (garbled.status, garbled.message) == (
        "backoff",
        "mastodon notifications: the answer was not valid JSON",
    )
    assert stored(r.sessions, "mastodon:") == {}


def test_a_repeated_page_is_stored_once(db_engine: Engine, sandbox: SandboxServer, world: World) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML, page_size=2)
    link_fans(r.sessions)
    quote, reblog, _ = load_payload("mastodon", "notifications.json")
    page = [quote, reblog]
    world.script(
        "mastodon.notifications",
        Fault(200, page, _link(sandbox.url, "88412011")),
        Fault(200, page, _link(sandbox.url, "88412011")),  # the server ignored min_id: same page again
    )
    outcome = r.poll(NOTIFICATIONS)
    assert (outcome.status, outcome.fetched, outcome.events) == ("ok", 4, 2)
    assert points(r.sessions) == {"fan-lena": 10, "fan-mika": 15}


def test_partial_and_malformed_payloads(db_engine: Engine, sandbox: SandboxServer, world: World) -> None:
    """A deleted account, emoji and RTL text in HTML, a status without a time, a DM, an unknown type."""
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    link_fans(r.sessions)
    _, _, reply = load_payload("mastodon", "notifications.json")
    mention, _ = load_payload("mastodon", "notifications_older.json")
    rtl = copy.deepcopy(reply)
    rtl["id"], rtl["status"]["id"] = "90000001", "115400000000000001"
    rtl["status"]["content"] = "<p>قهوة الخريف رائعة ☕🍂 &lt;3<br>שלום <b>Acme</b></p>"
    gone = copy.deepcopy(mention)
    gone["id"], gone["status"]["id"] = "90000002", "115400000000000002"
    gone["account"] = gone["status"]["account"] = None  # the account was deleted
    untimed = copy.deepcopy(reply)
    untimed["id"], untimed["status"]["id"] = "90000003", "115400000000000003"
    del untimed["status"]["created_at"]
    direct = copy.deepcopy(reply)
    direct["id"], direct["status"]["id"], direct["status"]["visibility"] = (
        "90000004",
        "115400000000000004",
        "direct",
    )
    follow = {
        "id": "90000005",
        "type": "follow",
        "created_at": "2026-11-20T10:00:00.000Z",
        "account": mention["account"],
    }
    world.script("mastodon.notifications", Fault(200, [follow, direct, untimed, gone, rtl]))
    outcome = r.poll(NOTIFICATIONS)
    assert (outcome.fetched, outcome.events, outcome.points) == (5, 1, 5)
    with r.sessions() as session:
        lena = session.get(StoredEvent, "mastodon:reply:115400000000000001").payload
        bad = sorted(q.error for q in session.scalars(select(QuarantinedEvent)))
        cursor = session.get(ConnectorSource, NOTIFICATIONS).cursor
    assert (
        lena["text"] == "قهوة الخريف رائعة ☕🍂 <3\nשלום Acme"
        and lena["actor"]["id"] == "latte_lena@mastodon.example"
    )
    assert bad == ["item 0: missing 'at'", "item 1: a 'mention' needs 'actor' (or 'fan')"]
    assert cursor == {"min_id": "90000005"} and points(r.sessions) == {"fan-lena": 5}


def test_an_unreblog_an_unfavourite_and_a_deleted_status_are_retracted_on_a_later_poll(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    link_fans(r.sessions)
    r.poll_all()
    lena = "109411823740012234"
    world.undo("reblog", MASTODON_STATUS, lena)
    world.undo("favourite", MASTODON_STATUS, lena)
    world.delete_status("115327318843220517")  # Mika's quote
    r.clock.advance(hours=1)
    assert r.poll(NOTIFICATIONS).events == 0  # the notifications are gone: nothing says what was undone
    r.poll("mastodon:undone")
    r.poll("mastodon:deletions")
    reblog = f"mastodon:reblog:{MASTODON_STATUS}:{lena}"
    favourite = f"mastodon:favourite:{MASTODON_STATUS}:{lena}"
    assert retracted(r.sessions) == {
        reblog: f"{reblog}:retracted",
        favourite: f"{favourite}:retracted",
        "mastodon:quote:115327318843220517": "mastodon:quote:115327318843220517:retracted",
    }
    assert points(r.sessions) == {"fan-lena": 5}  # 10 for the reblog and Mika's 15 clawed back
    with r.sessions() as session:
        quote = session.get(StoredEvent, "mastodon:quote:115327318843220517").payload
        reason = session.get(StoredEvent, f"{reblog}:retracted").payload["attrs"]["reason"]
    assert "text" not in quote and quote["actor"] == {"id": "mocha_mika@social.example"}
    assert reason == "reblog undone on mastodon"
    before = len(world.requests)
    r.poll("mastodon:undone")
    r.poll("mastodon:deletions")
    assert retracted(r.sessions).keys() == {reblog, favourite, "mastodon:quote:115327318843220517"}
    assert len(world.requests) - before == 2  # the mention and the reply still exist; nothing left to list


def test_the_deletion_sweep_checks_a_bounded_number_per_poll_and_resumes(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    r.poll(NOTIFICATIONS)
    sweep = r.connectors.sources["mastodon:deletions"]
    r.connectors.sources["mastodon:deletions"] = type(sweep)(sweep.name, sweep.client, sweep.base, per_poll=2)
    world.delete_status("115327318843220517")  # the newest stored status: checked by the second poll
    first = r.poll("mastodon:deletions")
    with r.sessions() as session:
        cursor = session.get(ConnectorSource, "mastodon:deletions").cursor
    assert (first.fetched, retracted(r.sessions)) == (2, {})
    assert cursor == {"after": ["2026-10-05T14:20:01Z", "mastodon:reply:115327121009843201"]}
    second = r.poll("mastodon:deletions")
    assert second.fetched == 1 and list(retracted(r.sessions)) == ["mastodon:quote:115327318843220517"]
    with r.sessions() as session:
        assert session.get(ConnectorSource, "mastodon:deletions").cursor == {"after": None}


def test_the_deletion_sweep_leaves_events_that_no_connector_took_in(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, text=MASTODON_YAML)
    r.poll(NOTIFICATIONS)
    actor = {"id": "lena@social.example", "handle": "lena@social.example"}
    from_file = [
        {
            "id": "import-9",
            "platform": "mastodon",
            "type": "mention",
            "at": "2026-10-05T10:00:00Z",
            "actor": actor,
        },
        {
            "id": "mastodon:reply:7:lena",
            "platform": "mastodon",
            "type": "reply",
            "at": "2026-10-05T11:00:00Z",
            "actor": actor,
            "post": {"id": "1", "author": "acme@social.example"},
        },
    ]
    ingest_events(r.sessions, CAMPAIGNS, from_file, source="file", now=r.clock())
    before = len(world.requests)
    assert r.poll("mastodon:deletions").status == "ok"
    assert retracted(r.sessions) == {}
    looked_up = [route for route, _ in world.requests[before:]]
    assert len(looked_up) == 3  # the three statuses the connector stored, not the file's two
