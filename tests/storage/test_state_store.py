"""The store loads, for each batch, every row its events read: caps, scores and badge progress
of older periods included, when a late event, a retract or a badge reaches back to them.

Each case ingests batch by batch (each `ingest_events` call is one batch) so that a row
the batch needs was written by an earlier one; each would come out differently if the
store left that row out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from engine.events import parse_event
from engine.processor import Engine as RulesEngine
from engine.state import EngineState
from pipeline import ingest_events
from storage.db import Base, make_engine, make_sessionmaker
from storage.models.core import BadgeGrant, BadgeProgress, BoardScore, CapCounter, Fan, LedgerEntry
from storage.report import fan_ledger
from storage.state_store import columns_by_keys, columns_where_in
from tests.factories import campaigns, event_dict

NOW = datetime(2026, 12, 31, tzinfo=UTC)
CAMPAIGNS = campaigns("""
    version: 1
    timezone: Europe/Berlin
    campaigns:
      - id: c
        rules:
          - {id: share, on: [share, retweet], points: 10, max: {count: 2, per: day}}
          - {id: buy, on: purchase, points: {per: amount, rate: 1}, max: {points: 30, per: week}}
          - {id: undo, on: retract, points: -2, max: {count: 1, per: day}}
        badges:
          - {id: three, name: Three, on: [share, retweet], count: 3}
          - {id: streak, name: Streak, on: any, streak: 3}
          - {id: burst, name: Burst, on: retweet, count: 3, within: 24h}
        leaderboards:
          - {id: daily, period: day}
          - {id: weekly, period: week}
        challenges:
          - {id: q, question: Q?, answers: [yes], points: 5, winners: 1}
""")


def ingest(engine: Engine, *batches: list[dict]) -> None:
    sessions = make_sessionmaker(engine)
    for batch in batches:
        ingest_events(sessions, CAMPAIGNS, batch, source="test", now=NOW)


def ledger(engine: Engine, fan: str) -> list[tuple[str, str, int, str]]:
    with make_sessionmaker(engine)() as session:
        return [(e["event"], e.get("rule", ""), e["points"], e["note"]) for e in fan_ledger(session, fan)]


def scores(engine: Engine, fan: str) -> dict[tuple[str, str], int]:
    with make_sessionmaker(engine)() as session:
        rows = session.execute(select(BoardScore).where(BoardScore.fan_id == fan)).scalars()
        return {(row.board, row.period): row.points for row in rows}


def badges(engine: Engine, fan: str) -> dict[str, str | None]:
    with make_sessionmaker(engine)() as session:
        rows = session.execute(select(BadgeGrant).where(BadgeGrant.fan_id == fan)).scalars()
        return {row.badge_id: row.event_id for row in rows}


def retweet(id: str, at: str, **extra: object) -> dict:
    return event_dict(id=id, type="retweet", at=at, **extra)


def test_a_late_event_uses_the_cap_its_own_older_day_has_half_used(db_engine: Engine) -> None:
    ingest(
        db_engine,
        [retweet("r1", "2026-12-01T10:00:00Z")],  # 1 of 2 on Dec 1
        [retweet("r2", "2026-12-02T10:00:00Z")],  # a new day in between
        [retweet("r3", "2026-12-01T12:00:00Z")],  # late: 2 of 2 on Dec 1
        [retweet("r4", "2026-12-01T13:00:00Z")],  # late again: Dec 1 is full
    )
    assert ledger(db_engine, "x:11") == [
        ("r1", "share", 10, ""),
        ("r2", "share", 10, ""),
        ("r3", "share", 10, ""),
        ("r4", "share", 0, "capped"),
    ]
    assert scores(db_engine, "x:11") == {
        ("c/daily", "2026-12-01"): 20,
        ("c/daily", "2026-12-02"): 10,
        ("c/weekly", "2026-11-30"): 30,
    }
    # three retweets within 24 hours: Dec 1 10:00 and 12:00 (late) and Dec 2 10:00
    assert badges(db_engine, "x:11") == {"three": "r3", "burst": "r3"}


def test_a_late_purchase_is_cut_by_what_its_own_older_week_has_used(db_engine: Engine) -> None:
    def buy(id: str, at: str) -> dict:
        return event_dict(id=id, type="purchase", at=at, fan="anna", attrs={"amount": "20"})

    ingest(
        db_engine,
        [buy("p1", "2026-12-01T10:00:00Z")],  # 20 of 30 in the week of Nov 30
        [buy("p2", "2026-12-08T10:00:00Z")],  # 20 of 30 in the week of Dec 7
        [buy("p3", "2026-12-02T10:00:00Z")],  # late: 10 left in the week of Nov 30
    )
    assert ledger(db_engine, "anna") == [
        ("p1", "buy", 20, ""),
        ("p2", "buy", 20, ""),
        ("p3", "buy", 10, "cut to 10 by cap"),
    ]
    assert scores(db_engine, "anna")[("c/weekly", "2026-11-30")] == 30


def test_retracting_an_event_of_an_earlier_day_frees_that_days_cap(db_engine: Engine) -> None:
    def retract(id: str, at: str, target: str) -> dict:
        return event_dict(id=id, type="retract", at=at, attrs={"retracts": target})

    ingest(
        db_engine,
        [retweet("r1", "2026-12-01T10:00:00Z"), retweet("r2", "2026-12-01T11:00:00Z")],  # Dec 1 full
        [retweet("r3", "2026-12-02T10:00:00Z")],
        [retract("u1", "2026-12-02T11:00:00Z", "r1")],  # gives back one use of Dec 1
        [retract("u2", "2026-12-02T12:00:00Z", "r2")],  # the penalty's own cap: once a day
        [retweet("r4", "2026-12-01T12:00:00Z")],  # late: Dec 1 has one use left (r3 is Dec 2's)
        [retweet("r5", "2026-12-01T13:00:00Z")],  # r2's use came back too
        [retweet("r6", "2026-12-01T14:00:00Z")],  # full again
    )
    assert ledger(db_engine, "x:11") == [
        ("r1", "share", 10, ""),
        ("r2", "share", 10, ""),
        ("r3", "share", 10, ""),
        ("u1", "share", -10, "retracted"),
        ("u1", "undo", -2, ""),
        ("u2", "share", -10, "retracted"),
        ("u2", "undo", 0, "capped"),
        ("r4", "share", 10, ""),
        ("r5", "share", 10, ""),
        ("r6", "share", 0, "capped"),
    ]
    # reversals and the penalty are dated at the retracts, Dec 2: Dec 1 keeps r1 and r2
    assert scores(db_engine, "x:11") == {
        ("c/daily", "2026-12-01"): 40,
        ("c/daily", "2026-12-02"): -12,
        ("c/weekly", "2026-11-30"): 28,
    }
    with make_sessionmaker(db_engine)() as session:
        caps = {row.key: (row.count, row.points) for row in session.scalars(select(CapCounter))}
    assert caps == {
        "c/share/x:11/2026-12-01": (2, 20),
        "c/share/x:11/2026-12-02": (1, 10),
        "c/undo/x:11/2026-12-02": (1, -2),
    }


def test_a_retract_in_the_batch_of_its_target_reaches_the_fans_rows_of_its_own_day(db_engine: Engine) -> None:
    def retract(id: str, at: str, target: str) -> dict:
        return event_dict(id=id, type="retract", at=at, attrs={"retracts": target})

    ingest(
        db_engine,
        [
            retweet("r0", "2026-12-02T10:00:00Z"),
            retweet("r00", "2026-12-02T10:30:00Z"),
            retract("u0", "2026-12-02T10:45:00Z", "r00"),  # Dec 2's one penalty
        ],
        [retweet("r1", "2026-12-01T10:00:00Z"), retract("u", "2026-12-02T11:00:00Z", "r1")],
    )
    assert ledger(db_engine, "x:11") == [
        ("r0", "share", 10, ""),
        ("r00", "share", 10, ""),
        ("u0", "share", -10, "retracted"),
        ("u0", "undo", -2, ""),
        ("r1", "share", 10, ""),
        ("u", "share", -10, "retracted"),
        ("u", "undo", 0, "capped"),
    ]
    assert scores(db_engine, "x:11") == {
        ("c/daily", "2026-12-01"): 10,
        ("c/daily", "2026-12-02"): -2,
        ("c/weekly", "2026-11-30"): 8,
    }


def test_retracting_a_stored_event_takes_it_off_badge_progress(db_engine: Engine) -> None:
    ingest(
        db_engine,
        [retweet("r1", "2026-12-01T10:00:00Z"), retweet("r2", "2026-12-03T10:00:00Z")],
        [event_dict(id="u", type="retract", at="2026-12-05T10:00:00Z", attrs={"retracts": "r1"})],
        [retweet("r3", "2026-12-07T10:00:00Z")],  # two count again: not three
    )
    assert badges(db_engine, "x:11") == {}
    ingest(db_engine, [retweet("r4", "2026-12-09T10:00:00Z")])
    assert badges(db_engine, "x:11") == {"three": "r4"}


def test_a_streak_is_completed_across_weeks_by_the_day_that_arrives_last(db_engine: Engine) -> None:
    ingest(
        db_engine,
        [retweet("tue", "2026-12-08T10:00:00Z")],
        [retweet("sun", "2026-12-06T10:00:00Z")],  # the week before
        [retweet("mon", "2026-12-07T10:00:00Z")],  # closes the gap: Sun, Mon, Tue
    )
    assert badges(db_engine, "x:11") == {"streak": "mon", "three": "mon"}
    assert scores(db_engine, "x:11")[("c/weekly", "2026-11-30")] == 10
    assert scores(db_engine, "x:11")[("c/weekly", "2026-12-07")] == 20


def test_a_profile_linked_in_the_batch_counts_against_its_fans_cap(db_engine: Engine) -> None:
    link = event_dict(id="link", type="profile_linked", platform="web", fan="anna", at="2026-12-01T11:00:00Z")
    link["attrs"] = {"profile": "x:11"}
    ingest(
        db_engine,
        [retweet("a1", "2026-12-01T10:00:00Z", fan="anna")],  # anna: 1 of 2 on Dec 1
        [link, retweet("r2", "2026-12-01T12:00:00Z"), retweet("r3", "2026-12-01T13:00:00Z")],
        [retweet("r4", "2026-12-02T10:00:00Z")],  # the link is stored now
        [retweet("r5", "2026-12-02T11:00:00Z"), retweet("r6", "2026-12-02T12:00:00Z")],
    )
    assert ledger(db_engine, "anna") == [
        ("a1", "share", 10, ""),
        ("r2", "share", 10, ""),
        ("r3", "share", 0, "capped"),
        ("r4", "share", 10, ""),
        ("r5", "share", 10, ""),
        ("r6", "share", 0, "capped"),
    ]
    assert ledger(db_engine, "x:11") == []


def test_a_profile_unlinked_in_the_batch_counts_against_its_own_cap_again(db_engine: Engine) -> None:
    link = event_dict(id="link", type="profile_linked", platform="web", fan="anna", at="2026-12-01T09:00:00Z")
    link["attrs"] = {"profile": "x:11"}
    unlink = event_dict(id="unlink", type="retract", at="2026-12-01T11:00:00Z", attrs={"retracts": "link"})
    ingest(
        db_engine,
        [retweet("r0", "2026-12-01T08:00:00Z"), link],  # r0: the profile's own, 1 of 2 on Dec 1
        [retweet("r1", "2026-12-01T10:00:00Z")],  # anna's
        [unlink, retweet("r2", "2026-12-01T12:00:00Z"), retweet("r3", "2026-12-01T13:00:00Z")],
    )
    shares = [row for row in ledger(db_engine, "x:11") if row[1] == "share"]
    assert shares == [("r0", "share", 10, ""), ("r2", "share", 10, ""), ("r3", "share", 0, "capped")]
    assert [row[0] for row in ledger(db_engine, "anna") if row[1] == "share"] == ["r1"]


def test_the_winners_of_a_challenge_are_counted_across_batches(db_engine: Engine) -> None:
    def answer(id: str, fan: str) -> dict:
        return event_dict(
            id=id,
            type="quiz_answer",
            fan=fan,
            at="2026-12-01T10:00:00Z",
            attrs={"challenge": "q", "answer": "Yes"},
        )

    ingest(db_engine, [answer("q1", "anna")], [answer("q2", "bert")])
    assert ledger(db_engine, "anna") == [("q1", "", 5, "")]
    assert ledger(db_engine, "bert") == [("q2", "", 0, "all 1 winners already found")]


# -- any arrival order -------------------------------------------------------------------

START = datetime(2026, 11, 29, tzinfo=UTC)


@st.composite
def arrivals(draw: st.DrawFn) -> list[list[dict]]:
    """Events over three weeks arriving in any order, in batches, some sent twice."""
    count = draw(st.integers(min_value=1, max_value=30))
    events: list[dict] = []
    for i in range(count):
        kind = draw(
            st.sampled_from(["retweet", "share", "purchase", "quiz_answer", "profile_linked", "retract"])
        )
        at = (START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 21)))).isoformat()
        who = draw(st.sampled_from(["1", "2"]))
        if kind in {"retweet", "share"}:
            event = event_dict(id=f"e{i}", type=kind, at=at, actor=who)
        elif kind == "purchase":
            event = event_dict(id=f"e{i}", type=kind, at=at, fan=f"fan{who}", attrs={"amount": "20"})
        elif kind == "quiz_answer":
            attrs = {"challenge": "q", "answer": draw(st.sampled_from(["yes", "no"]))}
            event = event_dict(id=f"e{i}", type=kind, at=at, fan=f"fan{who}", attrs=attrs)
        elif kind == "profile_linked":
            fan = f"fan{draw(st.sampled_from([who, '3']))}"  # a profile may move to another fan
            event = event_dict(id=f"e{i}", type=kind, at=at, fan=fan, attrs={"profile": f"x:{who}"})
        else:
            target = f"e{draw(st.integers(0, count - 1))}"
            event = event_dict(id=f"e{i}", type=kind, at=at, attrs={"retracts": target})
        events.append(event)
    order = draw(st.permutations(events + draw(st.lists(st.sampled_from(events), max_size=5))))
    size = draw(st.integers(1, 6))
    return [list(order[i : i + size]) for i in range(0, len(order), size)]


def in_memory(batches: list[list[dict]]) -> EngineState:
    """The engine fed the same batches as ingestion feeds it (first of an id, in time order)."""
    state = EngineState()
    engine = RulesEngine(CAMPAIGNS, state)
    for batch in batches:
        unique = {e.id: e for e in reversed([parse_event(raw) for raw in batch])}
        for event in sorted(unique.values(), key=lambda e: (e.at, e.id)):
            engine.process(event)
    return state


def stored(engine: Engine) -> dict[str, object]:
    with make_sessionmaker(engine)() as session:
        return {
            "ledger": [
                (r.event_id, r.campaign_id, r.source, r.points, r.note)
                for r in session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))
            ],
            "caps": {r.key: [r.count, r.points] for r in session.scalars(select(CapCounter))},
            "progress": {
                (r.fan_id, r.campaign_id, r.badge_id): r.state for r in session.scalars(select(BadgeProgress))
            },
            "scores": {(r.board, r.period, r.fan_id): r.points for r in session.scalars(select(BoardScore))},
            "grants": {(r.fan_id, r.badge_id): r.event_id for r in session.scalars(select(BadgeGrant))},
            "fans": {r.id: r.lifetime_points for r in session.scalars(select(Fan))},
        }


def remembered(state: EngineState) -> dict[str, object]:
    return {
        "ledger": [(e.event_id, e.campaign, e.source, e.points, e.note) for e in state.ledger],
        "caps": state.caps,
        "progress": state.progress,
        "scores": {(b, p, f): s.points for (b, p), fans in state.scores.items() for f, s in fans.items()},
        "grants": {
            (f, g.badge): g.event_id for (f, _), grants in state.grants.items() for g in grants.values()
        },
        "fans": {f: fan.points for f, fan in state.fans.items()},
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=arrivals())
def test_ingesting_in_any_arrival_order_stores_what_the_engine_computes_in_memory(batches) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    ingest(engine, *batches)
    assert stored(engine) == remembered(in_memory(batches))


def test_keyed_loads_return_the_columns_as_sqlalchemy_converts_them(db_engine: Engine) -> None:
    Base.metadata.create_all(db_engine)
    when = datetime(2026, 11, 1, 21, 30, 5, 123, tzinfo=UTC)
    fans = [f"x:{n}" for n in range(1200)]  # more than one chunk of keys
    with make_sessionmaker(db_engine).begin() as session:
        session.add_all(
            BadgeProgress(
                fan_id=fan, campaign_id="c", badge_id=badge, state={"count": n, "days": ["2026-11-01"]}
            )
            for n, fan in enumerate(fans)
            for badge in ("three", "streak")
        )
        session.add(
            BoardScore(
                board="c/weekly", period="2026-W45", fan_id="x:7", points=12, last_at=when, last_event="e1"
            )
        )
        session.add(
            BoardScore(
                board="c/weekly", period="2026-W46", fan_id="x:7", points=3, last_at=when, last_event="e2"
            )
        )
    with make_sessionmaker(db_engine)() as session:
        progress = sorted(
            columns_where_in(
                session,
                BadgeProgress.__table__,
                ("fan_id", "state"),
                "fan_id",
                [*fans, "x:none"],
                badge_id="streak",
            )
        )
        scores = list(
            columns_where_in(
                session,
                BoardScore.__table__,
                ("fan_id", "points", "last_at"),
                "fan_id",
                ["x:7", "x:8"],
                board="c/weekly",
                period="2026-W45",
            )
        )
    assert len(progress) == 1200
    assert progress[1] == ("x:1", {"count": 1, "days": ["2026-11-01"]})
    assert scores == [("x:7", 12, when)]
    assert scores[0][2].tzinfo is not None


def test_loads_by_whole_keys_find_each_key_once_across_prefixes(db_engine: Engine) -> None:
    """`columns_by_keys` returns exactly the rows whose whole key was asked for, whatever
    the prefix, with the columns converted, on both databases (one joined statement on
    PostgreSQL, one query per prefix on SQLite)."""
    Base.metadata.create_all(db_engine)
    when = datetime(2026, 11, 1, 21, 30, 5, tzinfo=UTC)
    periods = ("2026-W45", "2026-W46", "")
    with make_sessionmaker(db_engine).begin() as session:
        session.add_all(
            BoardScore(board=board, period=period, fan_id=f"x:{n}", points=n, last_at=when, last_event="e")
            for board in ("c/weekly", 'odd "board" \\ name')
            for period in periods
            for n in range(30)
        )
    wanted = {
        ("c/weekly", "2026-W45"): {"x:1", "x:2", "x:99"},
        ("c/weekly", ""): {"x:2"},
        ('odd "board" \\ name', "2026-W46"): {f"x:{n}" for n in range(0, 30, 3)},
        ("c/none", "2026-W45"): {"x:1"},
    }
    key_columns = ("board", "period", "fan_id")
    with make_sessionmaker(db_engine)() as session:
        rows = sorted(
            columns_by_keys(
                session, BoardScore.__table__, (*key_columns, "points", "last_at"), key_columns, wanted
            )
        )
    expected = sorted(
        (board, period, fan, int(fan[2:]), when)
        for (board, period), fans in wanted.items()
        for fan in fans
        if board != "c/none" and fan != "x:99"
    )
    assert rows == expected
    assert all(row[4].tzinfo is not None for row in rows)
