"""Every route of the app either is deliberately public or requires the right login.

The walk covers the whole URL map, so a route added later without a guard fails here.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

# Routes anyone may open. Adding one is a decision: name it here.
PUBLIC = {
    "auth.login",
    "auth.signup",
    "leaderboard.index",
    "leaderboard.board",
    # Open Badges hosted verification: backpacks fetch these without a login.
    "badges.issuer",
    "badges.jwks",
    "badges.badge_class",
    "badges.badge_image",
    "badges.assertion",
    "badges.credential",
    "i18n.switch",
    "health.healthz",
    "developers.index",  # the partner programme: what it is, how to join
    "developers.signup",
    "api_v1.openapi",  # the Earn API contract
    # Tracked share links: whoever follows a fan's link is sent on (and counted).
    "links.follow",
}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url with placeholder arguments) for every rule but static files."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = re.sub(r"<([^<>]+)>", _placeholder, rule.rule)
        method = (
            "GET" if "GET" in (rule.methods or ()) else sorted((rule.methods or {"POST"}) - {"OPTIONS"})[0]
        )
        out.append((rule.endpoint, method, url))
    return out


def _placeholder(match: re.Match[str]) -> str:
    return "1" if match[1].startswith(("int:", "int(", "float:")) else "x"


def _view(app: Flask, endpoint: str):  # type: ignore[no-untyped-def]
    return app.view_functions[endpoint]


def test_public_routes_are_exactly_the_declared_ones(app) -> None:  # type: ignore[no-untyped-def]
    public = {e for e, _, _ in _routes(app) if getattr(_view(app, e), "public", False)}
    assert public == PUBLIC


def test_every_other_route_sends_anonymous_visitors_to_the_login(app, client) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for endpoint, method, url in _routes(app):
        view = _view(app, endpoint)
        if getattr(view, "public", False):
            continue
        response = client.open(url, method=method)
        if getattr(view, "api_key_auth", False):
            assert response.status_code == 401, (endpoint, response.status_code)
        else:
            assert response.status_code == 302, (endpoint, response.status_code)
            assert response.headers["Location"].startswith("/login"), endpoint
        checked += 1
    assert checked >= 1  # at least logout is guarded


@pytest.mark.parametrize("role", ["fan", "marketer", "community_manager"])
def test_role_guarded_routes_refuse_other_roles(app, client, login, role) -> None:  # type: ignore[no-untyped-def]
    login(role)
    for endpoint, method, url in _routes(app):
        roles = getattr(_view(app, endpoint), "roles", None)
        if roles is None or role in roles:
            continue
        assert client.open(url, method=method).status_code == 403, endpoint
