"""Fuzzing the campaign loader: whatever a marketer types, a clear error and never a crash.

Documents are built from the language's own keys with values of every YAML type, so
most cases get past the syntax and reach the checks; raw text covers the YAML reader.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from engine.rules.loader import CAMPAIGN_KEYS, RULE_KEYS, load_campaigns_text
from engine.rules.model import CampaignSet

ERROR_LINE = re.compile(r"^campaigns\.yaml:\d+:\d+: .+")
KEYS = sorted({*CAMPAIGN_KEYS, *RULE_KEYS, "version", "timezone", "levels", "rewards", "campaigns"} | {
    "per", "rate", "count", "min", "max", "days", "hours", "factor", "hashtags", "posts", "period",
    "leaderboard", "rank", "streak", "within", "answers", "winners", "opens", "closes", "cost", "sentiment",
})  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["on", "any", "retweet", "day", "week", "2026-11-01", "Europe/Berlin", "18:00-22:00"]),
    st.sampled_from(["2026-13-45", "Mars/Olympus", "25:00-26:00", "", "10", "ten", "x:1", "7d", "-1h"]),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=25,
)


def _campaign_doc() -> st.SearchStrategy[dict]:
    campaign = st.fixed_dictionaries(
        {"id": st.sampled_from(["c", "c", "Bad Id", 7])},
        optional={key: VALUES for key in CAMPAIGN_KEYS if key != "id"},
    )
    return st.fixed_dictionaries(
        {"version": st.sampled_from([1, 1, 1, 2, "1"]), "campaigns": st.lists(campaign, max_size=3)},
        optional={"timezone": VALUES, "levels": VALUES, "rewards": VALUES, "pionts": VALUES},
    )


def _dump(doc: object) -> str:
    from io import StringIO

    out = StringIO()
    YAML(typ="safe").dump(doc, out)
    return out.getvalue()


def _check(text: str) -> None:
    result, errors = load_campaigns_text(text)
    assert (result is None) == bool(errors)
    if result is not None:
        assert isinstance(result, CampaignSet)
    for error in errors:
        assert error.line >= 1 and error.col >= 1
        assert ERROR_LINE.match(str(error)), str(error)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_campaign_doc())
def test_any_document_of_the_language_loads_or_gets_positioned_errors(doc: dict) -> None:
    _check(_dump(doc))


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n[]{}#'\"&*!|>%@`\t,?0129on")), max_size=80))
def test_any_text_is_read_without_crashing(text: str) -> None:
    _check(text)
