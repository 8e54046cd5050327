"""The spec's worked examples, run through `flask simulate` exactly as marketers would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import create_app

EXAMPLES = Path(__file__).parent / "examples"


@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    return app.test_cli_runner()


def _without_error_wording(result: dict) -> dict:
    for rejected in result["rejected"]:
        rejected.pop("error")
    return result


@pytest.mark.parametrize(
    ("name", "extra"), [("derby-week", []), ("advent-quiz", ["--now", "2026-12-09T12:00:00Z"])]
)
def test_simulate_matches_the_worked_example(runner: CliRunner, name: str, extra: list[str]) -> None:
    folder = EXAMPLES / name
    args = ["simulate", str(folder / "campaigns.yaml"), str(folder / "events.jsonl"), "--json", *extra]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    expected = json.loads((folder / "expected.json").read_text())
    assert _without_error_wording(json.loads(result.output)) == _without_error_wording(expected)


def test_derby_rejection_names_the_misspelt_type(runner: CliRunner) -> None:
    folder = EXAMPLES / "derby-week"
    result = runner.invoke(
        args=["simulate", str(folder / "campaigns.yaml"), str(folder / "events.jsonl"), "--json"]
    )
    assert json.loads(result.output)["rejected"] == [{"line": 9, "error": "unknown type 'retweeet'"}]


def test_wrong_file_reports_all_eight_errors_and_simulates_nothing(runner: CliRunner) -> None:
    folder = EXAMPLES / "wrong-file"
    result = runner.invoke(args=["simulate", str(folder / "campaigns.yaml"), "/dev/null", "--json"])
    assert result.exit_code != 0
    expected = [
        line
        for line in (folder / "expected-errors.txt").read_text().splitlines()
        if re.match(r".*:\d+:\d+: ", line)
    ]
    reported = [line for line in result.output.splitlines() if re.match(r"campaigns\.yaml:\d+:\d+: ", line)]
    assert reported == expected  # our wording is the golden text: a change shows up here
    assert "nothing simulated" in result.output
    assert not result.output.lstrip().startswith("{")
