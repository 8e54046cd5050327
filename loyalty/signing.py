"""Request signatures of the Earn API: HMAC-SHA256 keyed with the partner's API key.

The signed text is five lines: the method, the path (with its query string), the
Unix timestamp sent in `Fanfare-Timestamp`, the `Idempotency-Key` (empty when none)
and the hex SHA-256 of the body. A request whose timestamp is more than the skew
window away from the server's clock is refused, and so is a signature already seen
(the store keeps seen signatures for twice the window), so a captured request can be
neither altered nor replayed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from loyalty.store import insert_new
from storage.models.loyalty import ApiNonce

SCHEME = "v1="


class SignatureError(ValueError):
    """Why a request's signature is refused: `code` for programs, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a signature covers."""

    method: str
    path: str
    timestamp: str
    idempotency_key: str
    body: bytes


def canonical(request: SignedRequest) -> str:
    """The text that is signed."""
    body_hash = hashlib.sha256(request.body).hexdigest()
    return "\n".join(
        [request.method.upper(), request.path, request.timestamp, request.idempotency_key, body_hash]
    )


def sign(key: str, request: SignedRequest) -> str:
    """The `Fanfare-Signature` header value for a request."""
    mac = hmac.new(key.encode(), canonical(request).encode(), hashlib.sha256).hexdigest()
    return SCHEME + mac


def verify(key: str, request: SignedRequest, header: str, now: datetime, skew: timedelta) -> str:
    """Check the timestamp and the signature; return the signature's hex (the replay nonce)."""
    try:
        sent = int(request.timestamp)
    except ValueError:
        raise SignatureError("invalid_timestamp", "Fanfare-Timestamp must be Unix seconds") from None
    if abs(now.timestamp() - sent) > skew.total_seconds():
        raise SignatureError(
            "stale_timestamp", f"Fanfare-Timestamp is more than {int(skew.total_seconds())} s from now"
        )
    if not header.startswith(SCHEME):
        raise SignatureError("invalid_signature", "Fanfare-Signature must read v1=<hex HMAC-SHA256>")
    if not hmac.compare_digest(sign(key, request), header.strip()):
        raise SignatureError("invalid_signature", "the signature does not match the request")
    return header.strip()[len(SCHEME) :]


def remember(session: Session, key_id: int, signature: str, now: datetime, skew: timedelta) -> None:
    """Record a signature as used; `SignatureError` when it was used before (a replay)."""
    session.execute(delete(ApiNonce).where(ApiNonce.key_id == key_id, ApiNonce.seen_at < now - 2 * skew))
    if not insert_new(session, ApiNonce, {"key_id": key_id, "signature": signature, "seen_at": now}):
        raise SignatureError("replayed", "this exact request was received before")
