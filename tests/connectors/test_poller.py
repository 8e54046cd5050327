"""The real tweepy and facebook-sdk clients against the sandbox, into the database, with exact points."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from connectors.sandbox.server import SandboxServer
from connectors.sandbox.world import BRAND_X_POST, FB_POST, Fault, World, load_payload
from pipeline import ingest_events
from storage.models.connectors import ConnectorSource, ConnectorSpend
from storage.models.core import QuarantinedEvent, StoredEvent
from tests.connectors.helpers import CAMPAIGNS, SETTINGS_YAML, link_fans, points, retracted, rig, stored
from tests.factories import event_dict

# Lena: mention 5 + reply 5 + Facebook comment 5 (her LOVE reaction earns nothing: Facebook policy);
# Mika: reply 5 + quote 15; the Critic: quote 15 + repost 2; Rosa: comment 5 (her LIKE: nothing).
EXPECTED_POINTS = {"fan-lena": 15, "fan-mika": 20, "fan-critic": 17, "fan-rosa": 5}


def test_a_full_poll_scores_linked_fans_only_and_by_platform_policy(
    db_engine: Engine, sandbox: SandboxServer
) -> None:
    r = rig(db_engine, sandbox.url)
    link_fans(r.sessions)
    assert set(r.poll_all().values()) == {"ok"}
    assert points(r.sessions) == EXPECTED_POINTS
    events = stored(r.sessions, "x:") | stored(r.sessions, "facebook:")
    assert events == {
        "x:mention:2107383494341560990": "fan-lena",
        "x:reply:2107113867703222827": "fan-lena",
        "x:reply:2107158876779450983": "fan-mika",
        "x:quote:2107110495482809573": "fan-mika",
        "x:quote:2107124273771536482": "fan-critic",
        "x:retweet:2107108545131447506:15478392": "fan-critic",
        # not linked: stored for listening, counted for no one
        "x:mention:2107141520749495273": None,
        "x:mention:2107133786452922514": None,
        "x:mention:2107152782455765609": None,
        "x:retweet:2107108545131447506:1796874333189050593": None,
        "x:retweet:2107108545131447506:2883012345": None,
        "facebook:comment:1290045583271104_1534468770941172": "fan-lena",
        "facebook:comment:1290045583271104_1534502217604493": "fan-rosa",
        "facebook:like:104857392817465_1290045583271104:7391028374650912": "fan-lena",
        "facebook:like:104857392817465_1290045583271104:8204716395810274": "fan-rosa",
        "facebook:like:104857392817465_1290045583271104:6650193847261035": None,
        "facebook:share:100064218775531_1174420981573302": None,
        "facebook:mention:100064218775531_1174455021569898": None,
    }


def test_a_second_poll_yields_the_same_ids_and_awards_nothing(
    db_engine: Engine, sandbox: SandboxServer
) -> None:
    r = rig(db_engine, sandbox.url)
    link_fans(r.sessions)
    r.poll_all()
    before = (stored(r.sessions), points(r.sessions))
    outcomes = {name: r.poll(name) for name in r.connectors.sources}
    assert sum(o.events for o in outcomes.values()) == 0
    assert (stored(r.sessions), points(r.sessions)) == before


def test_pagination_across_pages_stores_since_id_and_asks_only_for_newer(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, page_size=5)
    link_fans(r.sessions)
    outcome = r.poll("x:mentions")
    assert (outcome.status, outcome.fetched, outcome.events) == ("ok", 6, 6)
    calls = [q for route, q in world.requests if route == "x.mentions"]
    assert len(calls) == 2 and "pagination_token" in calls[1] and "since_id" not in calls[0]
    with r.sessions() as session:
        assert session.get(ConnectorSource, "x:mentions").cursor == {"since_id": "2107383494341560990"}
    r.poll("x:mentions")
    assert world.requests[-1][1]["since_id"] == "2107383494341560990"


def test_a_429_waits_until_the_reset_the_platform_names(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url)
    reset = int((r.clock.now + timedelta(minutes=7)).timestamp())
    body = load_payload("x", "error_429_rate_limit.json")
    world.script(
        "x.mentions", Fault(429, body, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    )
    first = r.poll("x:mentions", force=False)
    assert first.status == "rate-limited" and first.next_due == r.clock.now + timedelta(minutes=7)
    r.clock.advance(minutes=6)
    assert r.poll("x:mentions", force=False).status == "not-due"
    r.clock.advance(minutes=1, seconds=1)
    second = r.poll("x:mentions", force=False)
    assert (second.status, second.events) == ("ok", 6)
    with r.sessions() as session:
        row = session.get(ConnectorSource, "x:mentions")
        assert (row.errors, row.failures, row.last_error) == (1, 0, "x.mentions: 429 rate limited")


def test_an_empty_bucket_is_not_asked_again_before_its_reset(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url)
    reset = int((r.clock.now + timedelta(minutes=3)).timestamp())
    world.script(
        "x.mentions",
        Fault(
            200,
            {"meta": {"result_count": 0}},
            {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
        ),
    )
    assert r.poll("x:mentions").status == "ok"
    asked = len(world.requests)
    blocked = r.poll("x:mentions")
    assert blocked.status == "rate-limited" and len(world.requests) == asked  # no request was sent


def test_a_503_backs_off_then_succeeds(db_engine: Engine, sandbox: SandboxServer, world: World) -> None:
    r = rig(db_engine, sandbox.url)
    unavailable = {
        "title": "Service Unavailable",
        "detail": "Service Unavailable",
        "type": "about:blank",
        "status": 503,
    }
    world.script("x.quote_tweets", Fault(503, unavailable), Fault(503, unavailable))
    name = f"x:quotes:{BRAND_X_POST}"
    assert (r.poll(name).status, r.poll(name).next_due) == ("backoff", r.clock.now + timedelta(seconds=60))
    ok = r.poll(name)
    assert (ok.status, ok.events) == ("ok", 2)
    with r.sessions() as session:
        assert session.get(ConnectorSource, name).failures == 0


def test_timeouts_and_garbled_answers_are_transient(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url, timeout=0.3)
    world.script("x.mentions", Fault(200, {"meta": {"result_count": 0}}, hang_seconds=1.0))
    world.script("x.mentions", Fault(200, raw='{"data": [ {"id": '))
    world.script("fb.reactions", Fault(200, raw="<html>502 Bad Gateway</html>"))
    slow = r.poll("x:mentions")
    assert (slow.status, slow.message, slow.next_due) == (
        "backoff",
        "x.mentions: timed out",
        r.clock.now + timedelta(seconds=30),
    )
    garbled = r.poll("x:mentions")
    assert (garbled.status, garbled.message) == ("backoff", "x.mentions: the answer was not valid JSON")
    assert garbled.next_due == r.clock.now + timedelta(
        seconds=60
    )  # the second failure in a row waits twice as long
    html = r.poll(f"facebook:reactions:{FB_POST}")
    assert (html.status, html.message) == ("backoff", "facebook reactions: the answer was not valid JSON")
    assert stored(r.sessions) == {}


def test_duplicate_pages_are_stored_once(db_engine: Engine, sandbox: SandboxServer, world: World) -> None:
    r = rig(db_engine, sandbox.url, page_size=5)
    link_fans(r.sessions)
    page1 = load_payload("x", "mentions_page1.json")
    again = dict(page1, meta={**page1["meta"], "next_token": "repeat"})
    last = dict(page1, meta={k: v for k, v in page1["meta"].items() if k != "next_token"})
    world.script("x.mentions", Fault(200, again), Fault(200, last))
    outcome = r.poll("x:mentions")
    assert (outcome.fetched, outcome.events) == (10, 5)
    assert points(r.sessions) == {"fan-lena": 5, "fan-mika": 5, "fan-critic": 15}


def test_partial_and_malformed_payloads(db_engine: Engine, sandbox: SandboxServer, world: World) -> None:
    """Missing includes, a deleted author, emoji and RTL text, 280 characters, a post without a time."""
    r = rig(db_engine, sandbox.url)
    link_fans(r.sessions)
    rtl = "@acmecoffee قهوة الخريف رائعة ☕🍂 שלום #AcmeAutumn"
    full = "@acmecoffee " + "☕" * 268
    assert len(full) == 280
    tweets = [
        {
            "id": "2110000000000000001",
            "edit_history_tweet_ids": ["2110000000000000001"],
            "text": rtl,
            "author_id": "1105408086635569728",
            "created_at": "2026-11-20T10:00:00.000Z",
            "entities": {
                "mentions": [{"start": 0, "end": 11, "username": "acmecoffee", "id": "1432281941406646272"}],
                "hashtags": [{"start": 42, "end": 53, "tag": "AcmeAutumn"}],
            },
        },
        {
            "id": "2110000000000000002",
            "edit_history_tweet_ids": ["2110000000000000002"],
            "text": full,
            "author_id": "1614547938309145037",
            "created_at": "2026-11-20T10:01:00.000Z",
            "entities": {
                "mentions": [{"start": 0, "end": 11, "username": "acmecoffee", "id": "1432281941406646272"}]
            },
        },
        {
            "id": "2110000000000000003",
            "edit_history_tweet_ids": ["2110000000000000003"],
            "text": "@acmecoffee no time on this one",
            "author_id": "15478392",
            "entities": {
                "mentions": [{"start": 0, "end": 11, "username": "acmecoffee", "id": "1432281941406646272"}]
            },
        },
    ]
    page = {
        "data": tweets,
        "errors": [
            {
                "value": "999",
                "detail": "Could not find user with author_id: [999].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "author_id",
                "resource_id": "999",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
        "meta": {"result_count": 3, "newest_id": "2110000000000000003", "oldest_id": "2110000000000000001"},
    }
    world.script("x.mentions", Fault(200, page))  # no includes at all
    outcome = r.poll("x:mentions")
    assert (outcome.fetched, outcome.events) == (3, 2)
    with r.sessions() as session:
        lena = session.get(StoredEvent, "x:mention:2110000000000000001").payload
        mika = session.get(StoredEvent, "x:mention:2110000000000000002").payload
        bad = session.scalars(select(QuarantinedEvent)).one()
    assert (
        lena["text"] == rtl
        and lena["actor"] == {"id": "1105408086635569728"}
        and lena["hashtags"] == ["AcmeAutumn"]
    )
    assert mika["text"] == full
    assert bad.source == "connector:x:mentions" and bad.error == "item 2: missing 'at'"
    assert points(r.sessions) == {"fan-lena": 5, "fan-mika": 5}


def test_an_unretweet_and_a_deleted_post_are_retracted_and_redacted(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url)
    link_fans(r.sessions)
    r.poll_all()
    world.unretweet(BRAND_X_POST, "15478392")
    world.delete_tweet("2107110495482809573")  # Mika's quote
    world.remove_fb_item(FB_POST, "comments", "1290045583271104_1534502217604493")  # Rosa's comment
    r.clock.advance(hours=1)
    r.poll(f"x:retweets:{BRAND_X_POST}")
    r.poll("x:deletions")
    r.poll(f"facebook:comments:{FB_POST}")
    assert retracted(r.sessions) == {
        "x:retweet:2107108545131447506:15478392": "x:retweet:2107108545131447506:15478392:retracted",
        "x:quote:2107110495482809573": "x:quote:2107110495482809573:retracted",
        "facebook:comment:1290045583271104_1534502217604493": "facebook:comment:1290045583271104_1534502217604493:retracted",  # noqa: E501
    }
    assert points(r.sessions) == {"fan-lena": 15, "fan-mika": 5, "fan-critic": 15}  # 2, 15 and 5 clawed back
    with r.sessions() as session:
        gone = session.get(StoredEvent, "x:quote:2107110495482809573").payload
    assert "text" not in gone and gone["actor"] == {"id": "1614547938309145037"} and gone["attrs"]["redacted"]


def test_a_reposters_list_at_its_cap_retracts_nothing(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    r = rig(db_engine, sandbox.url)
    for n in range(100):
        world.retweet(BRAND_X_POST, {"id": str(5000 + n), "name": f"Fan {n}", "username": f"fan{n}"})
    name = f"x:retweets:{BRAND_X_POST}"
    assert r.poll(name).events == 100  # the 100 most recent; the 3 recorded reposters fell off
    world.unretweet(BRAND_X_POST, "5050")
    world.retweet(BRAND_X_POST, {"id": "7777", "name": "Newest", "username": "newest"})
    again = r.poll(name)
    assert again.events == 1 and retracted(r.sessions) == {}
    with r.sessions() as session:
        notes = session.get(ConnectorSource, name).notes
    assert notes == [f"{name}: the list is at its cap of 100; removals cannot be seen"]


def test_spend_is_recorded_and_the_monthly_budget_stops_paid_reads(
    db_engine: Engine, sandbox: SandboxServer
) -> None:
    text = SETTINGS_YAML.replace("monthly_budget_usd: 25", "monthly_budget_usd: 1.6")
    r = rig(db_engine, sandbox.url, text=text)
    first = r.poll("x:mentions")
    assert first.status == "ok"
    with r.sessions() as session:
        spend = session.get(ConnectorSpend, ("x", "2026-11"))
        # 6 posts + 2 referenced posts at $0.005, 6 users at $0.010
        assert (spend.requests, spend.posts, spend.users, spend.micro_usd) == (1, 8, 6, 100_000)
    allowed = r.poll("x:search")  # $0.10 spent + at most $1.50 for one more request = $1.60: allowed
    assert allowed.status == "ok", allowed.message
    blocked = r.poll("x:mentions")
    assert blocked.status == "over-budget" and "monthly budget $1.6 reached" in blocked.message


def test_the_deletion_sweep_leaves_events_that_no_connector_took_in(
    db_engine: Engine, sandbox: SandboxServer, world: World
) -> None:
    """An X event ingested from a file (the demo's, an import) names no post X could be asked
    about: looking it up would take it back as deleted."""
    r = rig(db_engine, sandbox.url)
    link_fans(r.sessions)
    from_file = [
        event_dict("mention", id="x:mention:81:1000012", actor="1000012", mentions=["acme"]),
        event_dict("mention", id="import-7", actor="1000012", mentions=["acme"]),
        event_dict("quote", id="x:quote:not-a-number", actor="1000012"),
    ]
    ingest_events(r.sessions, CAMPAIGNS, from_file, source="file", now=r.clock())
    r.poll_all()
    world.delete_tweet("2107110495482809573")
    r.clock.advance(hours=1)
    r.poll("x:deletions")
    assert retracted(r.sessions) == {"x:quote:2107110495482809573": "x:quote:2107110495482809573:retracted"}
    looked_up = [query.get("ids", "") for route, query in world.requests if route == "x.tweets_lookup"]
    assert looked_up and not any("1000012" in ids or "not-a-number" in ids for ids in looked_up)
