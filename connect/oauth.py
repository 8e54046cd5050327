"""The OAuth 2.0 authorization-code flow, with PKCE (S256) where the provider wants it.

`begin` gives the URL to send the fan to, plus the `state` and PKCE verifier the app
keeps in the fan's session; `finish` checks the state, trades the code for tokens and
reads the profile. requests-oauthlib does the protocol; it refuses plain http unless
`OAUTHLIB_INSECURE_TRANSPORT=1` (its own switch, for a local sandbox only).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from oauthlib.oauth2 import OAuth2Error, WebApplicationClient
from requests import RequestException
from requests_oauthlib import OAuth2Session

from connect.providers import Provider

TIMEOUT_SECONDS = 10


class ConnectError(ValueError):
    """A link that did not work out; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class Started:
    """Where to send the fan, and what to remember until they come back."""

    url: str
    state: str
    verifier: str


@dataclass(frozen=True, slots=True)
class LinkedProfile:
    """The profile the fan proved to own, and its tokens."""

    platform: str
    user_id: str
    handle: str
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None


def begin(provider: Provider, redirect_uri: str) -> Started:
    """The authorization URL (with an S256 code challenge for PKCE providers)."""
    oauth = OAuth2Session(provider.client_id, redirect_uri=redirect_uri, scope=list(provider.scopes))
    extra: dict[str, str] = {}
    verifier = ""
    if provider.pkce:
        client = WebApplicationClient(provider.client_id)
        verifier = client.create_code_verifier(64)
        extra = {
            "code_challenge": client.create_code_challenge(verifier, "S256"),
            "code_challenge_method": "S256",
        }
    url, state = oauth.authorization_url(provider.authorize_url, state=secrets.token_urlsafe(24), **extra)
    return Started(url, state, verifier)


def finish(
    provider: Provider,
    redirect_uri: str,
    args: dict[str, str],
    expected_state: str,
    verifier: str,
    now: datetime,
) -> LinkedProfile:
    """Check the answer, trade the code for tokens, read who the fan is there."""
    if args.get("error"):
        raise ConnectError(f"{provider.platform} answered: {args.get('error_description') or args['error']}")
    if not expected_state or not hmac.compare_digest(args.get("state", ""), expected_state):
        raise ConnectError("this answer does not belong to a link you started; start again")
    oauth = OAuth2Session(provider.client_id, redirect_uri=redirect_uri, state=expected_state)
    extra: dict[str, Any] = {"code_verifier": verifier} if provider.pkce else {"include_client_id": True}
    try:
        token = oauth.fetch_token(
            provider.token_url,
            code=args.get("code", ""),
            client_secret=provider.client_secret,
            timeout=TIMEOUT_SECONDS,
            **extra,
        )
        me = oauth.get(provider.me_url, params=_me_params(provider), timeout=TIMEOUT_SECONDS)
        me.raise_for_status()
        user_id, handle = _who(provider, me.json())
    except (OAuth2Error, RequestException, KeyError, ValueError) as exc:
        raise ConnectError(f"{provider.platform} did not confirm the link ({type(exc).__name__})") from None
    expires = token.get("expires_in")
    return LinkedProfile(
        provider.platform,
        user_id,
        handle,
        token["access_token"],
        token.get("refresh_token"),
        now.astimezone(UTC) + timedelta(seconds=int(expires)) if expires else None,
    )


def _me_params(provider: Provider) -> dict[str, str]:
    return {"fields": "id,name"} if provider.platform == "facebook" else {}


def _who(provider: Provider, body: dict[str, Any]) -> tuple[str, str]:
    if provider.platform == "x":
        data = body["data"]
        return str(data["id"]), str(data.get("username", ""))
    return str(body["id"]), str(body.get("name", ""))
