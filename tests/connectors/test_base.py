"""What every connector shares: which stored event ids name a post the platform can be asked about."""

from __future__ import annotations

import pytest

from connectors.base import own_post_id


@pytest.mark.parametrize(
    ("event_id", "platform", "expected"),
    [
        ("x:quote:2107110495482809573", "x", "2107110495482809573"),
        ("mastodon:reply:115327044120511233", "mastodon", "115327044120511233"),
        ("x:retweet:2107108545131447506:15478392", "x", None),  # a repost, not a post
        ("x:mention:81:1000012", "x", None),  # the demo file's own numbering
        ("import-7", "x", None),
        ("x:quote:not-a-number", "x", None),
        ("mastodon:reply:115327044120511233", "x", None),
        ("x:quote:", "x", None),
    ],
)
def test_only_connector_shaped_ids_name_a_post(event_id: str, platform: str, expected: str | None) -> None:
    assert own_post_id(event_id, platform) == expected
