"""An emulated OAuth provider for X and Facebook, run on 127.0.0.1 by tests and demos.

`create_provider_app` builds a small Flask app with, per platform, an authorize page
that approves the configured test user at once, a token endpoint that checks the
client secret, the redirect URI and (for X) the PKCE verifier against the S256
challenge, and a profile endpoint (`/x/2/users/me`, `/facebook/me`). Codes work once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request


@dataclass
class SandboxUsers:
    """Who approves: the X and Facebook test users, and the registered client."""

    client_id: str
    client_secret: str
    x_user: dict[str, str] = field(
        default_factory=lambda: {"id": "2244994945", "username": "fan_anna", "name": "Anna"}
    )
    facebook_user: dict[str, str] = field(default_factory=lambda: {"id": "10158", "name": "Anna K."})


def create_provider_app(users: SandboxUsers) -> Flask:
    """The provider's app; `app.extensions["issued"]` holds the tokens it handed out."""
    app = Flask("sandbox_provider")
    codes: dict[str, dict[str, str]] = {}
    tokens: dict[str, str] = {}
    app.extensions["issued"] = tokens

    @app.get("/<platform>/authorize")
    def authorize(platform: str) -> Any:
        args = request.args
        if platform not in ("x", "facebook") or args.get("client_id") != users.client_id:
            abort(400)
        if platform == "x" and (
            args.get("code_challenge_method") != "S256" or not args.get("code_challenge")
        ):
            abort(400)
        code = secrets.token_urlsafe(16)
        codes[code] = {
            "platform": platform,
            "redirect_uri": args["redirect_uri"],
            "challenge": args.get("code_challenge", ""),
        }
        return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}")

    @app.route("/<platform>/token", methods=["GET", "POST"])
    def token(platform: str) -> Any:
        form = request.values
        client_id, secret = _client(form)
        grant = codes.pop(form.get("code", ""), None)
        if client_id != users.client_id or secret != users.client_secret:
            return jsonify(error="invalid_client"), 401
        if (
            grant is None
            or grant["platform"] != platform
            or grant["redirect_uri"] != form.get("redirect_uri")
        ):
            return jsonify(error="invalid_grant"), 400
        if platform == "x" and _s256(form.get("code_verifier", "")) != grant["challenge"]:
            return jsonify(error="invalid_grant", error_description="PKCE verifier does not match"), 400
        access = secrets.token_urlsafe(24)
        tokens[access] = platform
        body = {"access_token": access, "token_type": "bearer", "expires_in": 7200}
        if platform == "x":
            body |= {
                "refresh_token": secrets.token_urlsafe(24),
                "scope": "tweet.read users.read offline.access",
            }
        return jsonify(body)

    @app.get("/x/2/users/me")
    def x_me() -> Any:
        _bearer("x")
        return jsonify(data=users.x_user)

    @app.get("/facebook/me")
    def facebook_me() -> Any:
        _bearer("facebook")
        return jsonify({k: v for k, v in users.facebook_user.items()})

    def _bearer(platform: str) -> None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or tokens.get(value) != platform:
            abort(401)

    return app


def _client(form: Any) -> tuple[str | None, str | None]:
    if request.authorization and request.authorization.type == "basic":
        return request.authorization.username, request.authorization.password
    return form.get("client_id"), form.get("client_secret")


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def urls(base: str) -> dict[str, str]:
    """The app settings that point Connect at a sandbox provider served at `base`."""
    return {
        "X_OAUTH_AUTHORIZE_URL": f"{base}/x/authorize",
        "X_OAUTH_TOKEN_URL": f"{base}/x/token",
        "X_OAUTH_ME_URL": f"{base}/x/2/users/me",
        "FACEBOOK_OAUTH_AUTHORIZE_URL": f"{base}/facebook/authorize",
        "FACEBOOK_OAUTH_TOKEN_URL": f"{base}/facebook/token",
        "FACEBOOK_OAUTH_ME_URL": f"{base}/facebook/me",
    }
