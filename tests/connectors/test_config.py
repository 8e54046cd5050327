"""connectors.yaml: defaults, positioned errors, no credentials in the file."""

from __future__ import annotations

from pathlib import Path

from connectors.config import load_settings, load_settings_text
from engine.rules.errors import format_errors

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_file_loads_with_the_platforms_policies() -> None:
    settings, errors = load_settings(ROOT / "connectors.yaml")
    assert errors == [] and settings is not None
    assert settings.policy["facebook"].earn == frozenset({"comment", "mention"})
    assert settings.policy["x"].risky == frozenset({"retweet"})
    assert settings.policy["mastodon"].earn == frozenset({"quote", "reply", "mention", "share"})
    assert settings.mastodon is not None and settings.mastodon.instance == "https://mastodon.example"
    assert settings.require_link is True


def test_every_mistake_is_reported_with_its_place() -> None:
    text = """\
version: 1
x:
  brand: {id: "1", handle: acme}
  bearer_token: abc
  every: {mentions: soon, deletions: 48h}
policy:
  facebook: {earn: [comment, share]}
  x: {earn: [quote, purchase]}
consent: {require_link: false}
"""
    settings, errors = load_settings_text(text)
    assert settings is None
    assert format_errors(errors).splitlines() == [
        "connectors.yaml:4:3: x.bearer_token: credentials must not be in this file (set them in the environment "  # noqa: E501
        "(FANFARE_X_BEARER_TOKEN, FANFARE_FACEBOOK_PAGE_TOKEN, FANFARE_MASTODON_ACCESS_TOKEN))",
        "connectors.yaml:4:3: x.bearer_token: unknown key 'bearer_token' (one of brand, posts, hashtags, links, "  # noqa: E501
        "tracked_links, every, monthly_budget_usd)",
        "connectors.yaml:5:21: x.every.mentions: 'soon' is not a duration (such as 90s, 30m, 24h or 7d)",
        "connectors.yaml:5:38: x.every.deletions: deleted posts must be removed within 24 hours (at most 24h)",  # noqa: E501
        "connectors.yaml:7:20: policy.facebook.earn: Facebook's platform policy forbids rewarding likes and shares "  # noqa: E501
        "of a Page (comment and mention only)",
        "connectors.yaml:8:21: policy.x.earn[1]: 'purchase' is not a social event type "
        "(share | retweet | quote | reply | comment | mention | like)",
        "connectors.yaml:9:25: consent.require_link: only profiles whose owners linked them may be scored (true)",  # noqa: E501
        "connectors.yaml: 7 error(s)",
    ]


def test_a_mastodon_section_needs_an_https_instance_and_the_brand_account() -> None:
    text = """\
version: 1
mastodon:
  instance: http://mastodon.example
  brand: {id: "109348211274630185"}
"""
    settings, errors = load_settings_text(text)
    assert settings is None
    assert format_errors(errors).splitlines() == [
        "connectors.yaml:3:13: mastodon.instance: 'http://mastodon.example' is not an https URL "
        "(https://your.instance)",
        "connectors.yaml:4:10: mastodon.brand: missing key 'acct' ('acct' is required)",
        "connectors.yaml: 2 error(s)",
    ]
