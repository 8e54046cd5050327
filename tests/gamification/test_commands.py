"""`flask standings` and `flask fan`: what a marketer or support agent reads on the command line."""

from __future__ import annotations

import json

from flask import Flask


def invoke(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_standings_json_lists_a_board_period_in_rank_order(app: Flask) -> None:
    code, out = invoke(app, "standings", "c", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["leaderboard"], data["period"], data["listed"]) == ("all-time", None, 3)
    assert [(r["rank"], r["fan"], r["points"], r["level"]) for r in data["rows"]] == [
        (1, "x:1", 30, "Star"),
        (2, "x:2", 10, "Fan"),
        (2, "x:3", 10, "Fan"),
    ]


def test_period_takes_any_date_in_the_period_and_pages_have_any_size(app: Flask) -> None:
    code, out = invoke(app, "standings", "c", "--leaderboard", "daily", "--period", "2026-12-02", "--json")
    assert json.loads(out)["rows"][0]["fan"] == "x:3" and json.loads(out)["period"] == "2026-12-02"
    code, out = invoke(app, "standings", "c", "--size", "1", "--page", "2", "--json")
    assert [(r["rank"], r["fan"]) for r in json.loads(out)["rows"]] == [(2, "x:2")]


def test_standings_for_a_fan_shows_the_rank_and_the_fans_around(app: Flask) -> None:
    code, out = invoke(app, "standings", "c", "--fan", "x:3", "--json")
    data = json.loads(out)
    assert data["fan"] == {"fan": "x:3", "rank": 2}
    assert [r["fan"] for r in data["rows"]] == ["x:1", "x:2", "x:3"]
    code, out = invoke(app, "standings", "c", "--fan", "x:3")
    assert out.splitlines()[-1].endswith("@h3  <")


def test_standings_errors_name_what_is_wrong(app: Flask) -> None:
    code, out = invoke(app, "standings", "nope")
    assert code == 1 and "no campaign 'nope'" in out
    code, out = invoke(app, "standings", "c", "--leaderboard", "weekly")
    assert code == 1 and "known: all-time, daily" in out
    code, out = invoke(app, "standings", "c", "--leaderboard", "daily", "--period", "1 Dec")
    assert code == 2 and "not a date" in out


def test_fan_json_has_points_balance_level_badges_and_the_ledger_with_reasons(app: Flask) -> None:
    code, out = invoke(app, "fan", "x:1", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["points"], data["balance"], data["level"]) == (30, 30, "Star")
    assert data["level_at"] == "2026-12-01T11:00:00+00:00"
    assert [(b["badge"], b["event"], b["earned_at"], b["period"]) for b in data["badges"]] == [
        ("first", "a1", "2026-12-01T09:00:00+00:00", None),
        ("top", None, "2026-12-01T23:00:00+00:00", "2026-12-01"),  # midnight Berlin closed 1 Dec
    ]
    assert [(e["event"], e["rule"], e["points"]) for e in data["ledger"]] == [
        ("a1", "r", 10),
        ("a2", "r", 10),
        ("a3", "r", 10),
    ]
    code, out = invoke(app, "fan", "nobody")
    assert code == 1 and "no fan 'nobody'" in out


def test_redeem_spends_the_balance_and_the_fan_document_shows_it(app: Flask) -> None:
    code, out = invoke(app, "redeem", "x:1", "mug", "--json")
    assert code == 0 and json.loads(out)["balance"] == 15
    code, out = invoke(app, "redeem", "x:1", "mug")
    assert code == 1 and "refused: limit of 1 per fan reached (balance 15)" in out
    code, out = invoke(app, "redeem", "x:1", "tv")
    assert code == 1 and "no reward 'tv'" in out
    data = json.loads(invoke(app, "fan", "x:1", "--json")[1])
    assert (data["points"], data["spent"], data["balance"], data["level"]) == (30, 15, 15, "Star")
    assert [(r["reward"], r["status"], r["reason"]) for r in data["redemptions"]] == [
        ("mug", "done", ""),
        ("mug", "refused", "limit of 1 per fan reached"),
    ]
    assert (data["ledger"][-1]["reward"], data["ledger"][-1]["points"]) == ("mug", -15)
