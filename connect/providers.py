"""The OAuth providers fans can link, configured from the app's settings.

Production defaults are the real endpoints; `FANFARE_X_OAUTH_AUTHORIZE_URL` and the like
point them elsewhere (the sandbox provider in tests and demos). Client ids and secrets
come only from the environment (`FANFARE_X_CLIENT_ID`, `FANFARE_X_CLIENT_SECRET`, …).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PLATFORMS = ("x", "facebook")


@dataclass(frozen=True, slots=True)
class Provider:
    """Where to send the fan, where to trade the code, where to read the profile."""

    platform: str
    authorize_url: str
    token_url: str
    me_url: str
    scopes: tuple[str, ...]
    client_id: str
    client_secret: str
    pkce: bool  # X requires PKCE (S256); Facebook's code flow uses the client secret


def provider(config: Mapping[str, Any], platform: str) -> Provider | None:
    """The configured provider, or None when unknown or without client credentials."""
    if platform not in PLATFORMS:
        return None
    prefix = platform.upper()
    client_id, secret = config.get(f"{prefix}_CLIENT_ID"), config.get(f"{prefix}_CLIENT_SECRET")
    if not client_id or not secret:
        return None
    return Provider(
        platform,
        config[f"{prefix}_OAUTH_AUTHORIZE_URL"],
        config[f"{prefix}_OAUTH_TOKEN_URL"],
        config[f"{prefix}_OAUTH_ME_URL"],
        tuple(str(config[f"{prefix}_OAUTH_SCOPES"]).split()),
        client_id,
        secret,
        pkce=platform == "x",
    )
