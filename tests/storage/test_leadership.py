"""One leader per cluster: a second process waits until the first lets go."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from storage.leadership import leadership


def test_a_second_candidate_leads_only_once_the_first_lets_go(db_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if db_engine.dialect.name == "sqlite":
        from storage.db import make_engine

        db_engine = make_engine(f"sqlite:///{tmp_path / 'lead.sqlite'}")
    stop = threading.Event()
    led = threading.Event()

    def second() -> None:
        with leadership(db_engine, stop, retry_seconds=0.05):
            if not stop.is_set():
                led.set()

    with leadership(db_engine, stop, retry_seconds=0.05) as alive:
        assert alive()
        waiting = threading.Thread(target=second)
        waiting.start()
        assert not led.wait(0.5)  # the first still leads
    assert led.wait(10)  # and now the second does
    waiting.join(10)


def test_a_candidate_told_to_stop_while_waiting_stops(db_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if db_engine.dialect.name == "sqlite":
        from storage.db import make_engine

        db_engine = make_engine(f"sqlite:///{tmp_path / 'lead.sqlite'}")
    first_stop, second_stop = threading.Event(), threading.Event()
    outcome: list[bool] = []

    def second() -> None:
        with leadership(db_engine, second_stop, retry_seconds=0.05):
            outcome.append(second_stop.is_set())

    with leadership(db_engine, first_stop, retry_seconds=0.05):
        waiting = threading.Thread(target=second)
        waiting.start()
        second_stop.set()
        waiting.join(10)
    assert outcome == [True]  # it gave up without leading
