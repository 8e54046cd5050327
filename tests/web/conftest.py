"""Fixtures of the web tests: campaigns of their own (nothing depends on today's date)."""

from __future__ import annotations

import textwrap

import pytest

from engine.rules.registry import CampaignRegistry

QUIZ_YAML = textwrap.dedent(
    """\
    version: 1
    timezone: Europe/Berlin
    levels:
      - {name: Bean, points: 0}
      - {name: Roaster, points: 100}
    rewards:
      - {id: espresso, name: Espresso, cost: 20}
    campaigns:
      - id: quiz
        name: Quiz time
        rules:
          - id: quote
            on: quote
            points: 15
            max: {count: 5, per: day}
          - id: connect
            on: profile_linked
            points: 50
        badges:
          - {id: first-answer, name: First answer, on: quiz_answer, count: 1}
        leaderboards:
          - {id: all-time}
        challenges:
          - id: origin
            question: Which country do the beans come from?
            answers: [Colombia]
            points: 30
            winners: 2
    """
)


@pytest.fixture
def quiz_app(app, tmp_path):  # type: ignore[no-untyped-def]
    """The app with the quiz campaign in force instead of the repository's campaigns.yaml."""
    path = tmp_path / "campaigns.yaml"
    path.write_text(QUIZ_YAML, encoding="utf-8")
    app.config["CAMPAIGNS_PATH"] = str(path)
    app.extensions["campaigns"] = CampaignRegistry(path, interval=0)
    assert app.extensions["campaigns"].current() is not None
    return app
