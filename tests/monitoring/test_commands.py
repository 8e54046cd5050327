"""`flask --app app sentiment score`: JSON Lines in, polarity and label out, bad lines reported."""

from __future__ import annotations

import json

from app import create_app


def test_scores_each_line_and_reports_bad_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "TESTING": True})
    stdin = "\n".join(
        [
            json.dumps({"id": "a", "text": "Ich liebe diesen Verein ❤️"}),
            "not json",
            json.dumps({"id": 7, "text": "Das war nicht gut."}),
            "",
            json.dumps({"text": "no id"}),
            json.dumps({"id": "c", "text": None}),
        ]
    )
    result = app.test_cli_runner().invoke(args=["sentiment", "score"], input=stdin)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["label"]) for r in rows] == [("a", "positive"), (7, "negative"), ("c", "neutral")]
    assert rows[2]["polarity"] == 0.0 and rows[0]["polarity"] > 0.5
    assert result.stderr.splitlines() == [
        "line 2: not JSON: Expecting value",
        "line 5: missing 'id' (a string or number)",
    ]
    assert result.exit_code == 1
