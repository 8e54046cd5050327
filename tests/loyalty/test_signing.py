"""Request signatures: the five signed lines, the skew window, replays."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from loyalty.signing import SignatureError, SignedRequest, canonical, remember, sign, verify
from storage.db import transaction
from tests.loyalty.conftest import NOW

SKEW = timedelta(minutes=5)
REQUEST = SignedRequest("post", "/api/v1/purchases?x=1", str(int(NOW.timestamp())), "k-1", b'{"a":1}')


def test_the_signed_text_is_method_path_time_key_and_body_digest() -> None:
    body_hash = hashlib.sha256(b'{"a":1}').hexdigest()
    assert canonical(REQUEST) == f"POST\n/api/v1/purchases?x=1\n{int(NOW.timestamp())}\nk-1\n{body_hash}"
    expected = hmac.new(b"key", canonical(REQUEST).encode(), hashlib.sha256).hexdigest()
    assert sign("key", REQUEST) == f"v1={expected}"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body": b'{"a":2}'}, "invalid_signature"),
        ({"path": "/api/v1/actions?x=1"}, "invalid_signature"),
        ({"idempotency_key": "k-2"}, "invalid_signature"),
        ({"timestamp": "soon"}, "invalid_timestamp"),
        ({"timestamp": str(int(NOW.timestamp()) + 301)}, "stale_timestamp"),
    ],
)
def test_any_change_to_a_signed_request_is_refused(change: dict, code: str) -> None:  # type: ignore[type-arg]
    header = sign("key", REQUEST)
    altered = SignedRequest(**{**{f: getattr(REQUEST, f) for f in REQUEST.__slots__}, **change})
    with pytest.raises(SignatureError) as caught:
        verify("key", altered, header, NOW, SKEW)
    assert caught.value.code == code


def test_a_signature_is_accepted_once(sessions) -> None:  # type: ignore[no-untyped-def]
    nonce = verify("key", REQUEST, sign("key", REQUEST), NOW + timedelta(seconds=299), SKEW)
    with transaction(sessions) as session:
        remember(session, 1, nonce, NOW, SKEW)
        remember(session, 2, nonce, NOW, SKEW)  # another key's signature space
    with transaction(sessions) as session, pytest.raises(SignatureError, match="received before"):
        remember(session, 1, nonce, NOW, SKEW)
    with transaction(sessions) as session:  # forgotten after twice the window: the timestamp is stale by then
        remember(session, 1, nonce, NOW + 2 * SKEW + timedelta(seconds=1), SKEW)
