"""Brand listening from the incremental aggregates, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from monitoring.config import ListeningConfig
from monitoring.listening import TermCount, is_spike, listen
from tests.monitoring.helpers import ingest, post, refresh

EVENTS = [
    post(
        "mention", "m1", "2026-12-18T10:00:00Z", "anna", text="Was für ein Derby!!! Ich liebe diesen Verein ❤️"
    ),
    post("mention", "m2", "2026-12-18T23:30:00Z", "ben", text="Schon wieder verloren, peinliche Abwehr 😡"),
    post(
        "reply",
        "r1",
        "2026-12-19T09:00:00Z",
        "anna",
        text="Das Stadion war heute der Wahnsinn",
        tags=(),
        mentions=["club"],
    ),
    post(
        "mention",
        "c1",
        "2026-12-19T10:00:00Z",
        "cara",
        text="Der Herbstkaffee ist lecker",
        tags=("AcmeAutumn",),
    ),
    post("retweet", "rt1", "2026-12-19T11:00:00Z", "dan"),  # a share is no mention
    post(
        "mention", "x1", "2026-12-19T12:00:00Z", "eve", text="Mein Hund ist toll", tags=("Hunde",)
    ),  # not about the brand
]


def test_daily_volume_mood_and_top_terms(db_engine: Engine) -> None:
    sessions = ingest(db_engine, EVENTS)
    assert refresh(sessions).events == 6
    with sessions() as session:
        derby = listen(session, date(2026, 12, 19), campaign="derby", days=2)
        overall = listen(session, date(2026, 12, 19), days=2)
    # m2 at 23:30 UTC is 00:30 on the 19th in Berlin
    assert [(d.day.day, d.mentions, d.positive, d.negative) for d in derby.days] == [
        (18, 1, 1, 0),
        (19, 2, 1, 1),
    ]
    assert derby.days[1].negative_share == 0.5
    assert [(d.day.day, d.mentions) for d in overall.days] == [(18, 1), (19, 3)]
    assert derby.top_authors == (TermCount("x:anna", 2), TermCount("x:ben", 1))
    assert overall.top_hashtags == (TermCount("derby", 2), TermCount("acmeautumn", 1))
    assert TermCount("abwehr", 1) in derby.top_topics and TermCount("stadion", 1) in derby.top_topics


def test_updates_are_incremental_and_retractions_leave_the_figures(db_engine: Engine) -> None:
    sessions = ingest(db_engine, EVENTS)
    first = refresh(sessions)
    assert refresh(sessions).events == 0  # nothing new: nothing read
    ingest(
        db_engine,
        [
            {
                "id": "del-m2",
                "platform": "x",
                "type": "retract",
                "at": "2026-12-19T13:00:00Z",
                "attrs": {"retracts": "m2"},
            },
            post("mention", "m3", "2026-12-19T14:00:00Z", "ben", text="Gutes Spiel"),
        ],
    )
    second = refresh(sessions)
    assert (second.events, second.retracted) == (2, 1) and second.cursor > first.cursor
    with sessions() as session:
        derby = listen(session, date(2026, 12, 19), campaign="derby", days=1)
    assert [(d.mentions, d.positive, d.negative) for d in derby.days] == [(2, 2, 0)]
    assert derby.top_authors == (TermCount("x:anna", 1), TermCount("x:ben", 1))


def test_post_deleted_before_the_first_update_is_never_counted(db_engine: Engine) -> None:
    retract = {
        "id": "del",
        "platform": "x",
        "type": "retract",
        "at": "2026-12-19T13:00:00Z",
        "attrs": {"retracts": "m1"},
    }
    sessions = ingest(db_engine, [*EVENTS, retract])
    assert refresh(sessions).retracted == 0
    with sessions() as session:
        derby = listen(session, date(2026, 12, 18), campaign="derby", days=1)
    assert derby.days[0].mentions == 0


def test_spike_detector_hand_checked() -> None:
    config = ListeningConfig(spike_days=4, spike_sigmas=3, spike_min=5)
    trailing = [1, 2, 1, 2]  # mean 1.5, population std 0.5 -> threshold 3.0
    assert is_spike(5, trailing, config)
    assert not is_spike(4, [1, 1, 1, 1], config)  # above mean + 3 std (1.0) but under spike_min
    assert not is_spike(6, [2, 8, 2, 8], config)  # mean 5, std 3 -> threshold 14
    assert is_spike(5, [0, 0, 0, 0], config)


def test_listening_flags_the_spike_day(db_engine: Engine) -> None:
    angry = [
        post("mention", f"n{i}", "2026-12-19T10:00:00Z", f"fan{i}", text="Peinlich, so schlecht 😡")
        for i in range(6)
    ]
    calm = [post("mention", "c0", "2026-12-17T10:00:00Z", "zed", text="Schlecht gespielt")]
    sessions = ingest(db_engine, angry + calm)
    refresh(sessions)
    with sessions() as session:
        result = listen(
            session, date(2026, 12, 19), campaign="derby", days=3, config=ListeningConfig(spike_days=3)
        )
    assert [d.day.day for d in result.spikes] == [19]
    assert [d.negative for d in result.days] == [1, 0, 6]


def test_updates_running_at_once_count_each_event_once(db_engine: Engine) -> None:
    import threading

    from monitoring.aggregate import update
    from storage.db import make_sessionmaker, transaction
    from tests.monitoring.helpers import BERLIN

    ingest(db_engine, EVENTS)
    sessions = make_sessionmaker(db_engine)
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            with transaction(sessions) as session:
                update(session, BERLIN)
        except BaseException as exc:  # noqa: BLE001  reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        overall = listen(session, date(2026, 12, 19), days=2)
    assert [(d.day.day, d.mentions) for d in overall.days] == [(18, 1), (19, 3)]  # as one update counts
