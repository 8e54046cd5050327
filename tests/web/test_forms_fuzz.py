"""Fuzzing every form of the web app: arbitrary field values posted with a valid CSRF token
by a user of the route's role get a page or a 4xx, never a 500; a refused post writes
nothing; and markup typed into a field is never sent back unescaped.

`FORMS` names the fields of every POST route; a new route must be added here (the first
test walks the URL map), so no form escapes the fuzzer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from accounts.roles import Role
from accounts.service import create_user
from loyalty.partners import NewPartner, sign_up
from storage.db import transaction
from tests.loyalty_fixtures import CAMPAIGNS
from tests.web.fuzz_support import JSON, TEXT, database_url, make_app, snapshot

PASSWORD = "password-1234"
INT_TEXT = st.one_of(st.integers(-(2**40), 2**40).map(str), TEXT)
ANY = st.one_of(TEXT, INT_TEXT, JSON.map(str))
# endpoint: (role or None for anonymous, URL strategy, {field: values}); "" as role = any login.
Route = tuple[str | None, st.SearchStrategy[str], dict[str, st.SearchStrategy[str]]]
SEGMENT = st.one_of(TEXT, st.from_regex(r"[\w.~-]{1,20}", fullmatch=True))
FORMS: dict[str, Route] = {
    "auth.login": (None, st.just("/login"), {"email": TEXT, "password": TEXT}),
    "auth.signup": (None, st.just("/signup"), {"display_name": TEXT, "email": TEXT, "password": TEXT}),
    "developers.signup": (
        None,
        st.just("/developers/signup"),
        {
            "slug": TEXT,
            "name": TEXT,
            "kind": st.one_of(st.just("shop"), TEXT),
            "email": TEXT,
            "password": TEXT,
        },
    ),
    "fan.answer": ("fan", st.just("/me/answer"), {"challenge": TEXT, "answer": TEXT}),
    "fan.anonymous": ("fan", st.just("/me/anonymous"), {"anonymous": st.one_of(st.just("on"), TEXT)}),
    "fan.unlink": ("fan", st.just("/me/unlink"), {"profile": TEXT}),
    "fan.delete": (
        "fan",
        st.just("/me/delete"),
        {"password": TEXT, "confirm": st.one_of(st.just("on"), TEXT)},
    ),
    "campaigns.edit": (
        "marketer",
        st.just("/campaigns/edit"),
        {"yaml": st.one_of(TEXT, st.just(CAMPAIGNS)), "action": st.one_of(st.just("save"), TEXT)},
    ),
    "campaigns.preview": (
        "marketer",
        st.just("/campaigns/preview"),
        {"yaml": st.one_of(TEXT, st.just(CAMPAIGNS))},
    ),
    "admin.users": (
        "admin",
        st.just("/admin/users"),
        {"display_name": TEXT, "email": TEXT, "role": st.one_of(st.just("marketer"), TEXT), "password": TEXT},
    ),
    "admin.set_role": (
        "admin",
        st.integers(0, 2**63).map(lambda n: f"/admin/users/{n}/role"),
        {"role": st.one_of(st.sampled_from(["marketer", "admin", "fan"]), TEXT)},
    ),
    "developers.key_new": (
        "partner",
        st.just("/developers/keys"),
        {"mode": st.one_of(st.just("sandbox"), TEXT)},
    ),
    "developers.key_revoke": ("partner", SEGMENT.map(lambda s: f"/developers/keys/{s}/revoke"), {}),
    "developers.codes": (
        "partner",
        st.just("/developers/codes"),
        {"count": INT_TEXT, "days": INT_TEXT, "value": INT_TEXT, "campaign": TEXT, "label": TEXT},
    ),
    "developers.tablet": (
        "partner",
        st.just("/developers/codes/tablet"),
        {"count": INT_TEXT, "days": INT_TEXT, "value": INT_TEXT, "campaign": TEXT, "label": TEXT},
    ),
    "developers.webhook_list": (
        "partner",
        st.just("/developers/webhooks"),
        {
            "url": st.one_of(st.just("https://example.org/hook"), TEXT),
            "kinds": st.one_of(st.just("points.credited"), TEXT),
        },
    ),
    "loyalty_admin.partner_approve": ("admin", SEGMENT.map(lambda s: f"/admin/partners/{s}/approve"), {}),
    "loyalty_admin.grant": (
        "admin",
        st.just("/admin/grants"),
        {
            "csv_text": TEXT,
            "segment": st.one_of(st.just("all"), TEXT),
            "points": INT_TEXT,
            "reason": TEXT,
            "campaign": TEXT,
        },
    ),
    "fan_loyalty.identity_list": (
        "fan",
        st.just("/me/identities"),
        {"kind": st.one_of(st.sampled_from(["email", "handle"]), TEXT), "value": TEXT},
    ),
    "fan_loyalty.claim": ("fan", st.just("/me/claim"), {"code": TEXT}),
    "fan_loyalty.profile": ("fan", st.just("/me/profile"), {"month": INT_TEXT, "day": INT_TEXT}),
    "connect.unlink": ("fan", SEGMENT.map(lambda s: f"/connect/{s}/unlink"), {}),
    "links.make": ("fan", st.just("/me/links"), {"campaign": st.one_of(st.just("acme-autumn"), TEXT)}),
    "fan.redeem": (
        "fan",
        st.just("/me/redeem"),
        {"reward": st.one_of(st.just("espresso"), TEXT), "request_key": TEXT},
    ),
    "badges.export": (
        "fan",
        st.just("/badges/export"),
        {
            "campaign": st.one_of(st.just("acme-autumn"), TEXT),
            "badge": st.one_of(st.just("first-words"), TEXT),
        },
    ),
    "developers.redemption_deliver": (
        "partner",
        st.integers(0, 2**63).map(lambda n: f"/developers/redemptions/{n}/deliver"),
        {},
    ),
    "community.review_author": (
        "community_manager",
        st.just("/influencers/review"),
        {
            "author": TEXT,
            "decision": st.one_of(st.sampled_from(["approve", "dismiss", "note"]), TEXT),
            "note": TEXT,
            "next": st.one_of(st.just("/influencers"), TEXT),
        },
    ),
}
# Posted by the fuzzer only in the tests of their own pages: logging out ends the session.
NOT_FUZZED = {"auth.logout"}
MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def _with_csrf(app: Flask, client: FlaskClient) -> str:
    """Put a CSRF secret in the client's session; the token a form would carry for it."""
    with client.session_transaction() as sess:
        sess["csrf_token"] = "fuzz-csrf-secret"
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("fuzz-csrf-secret")


def _logged_in(app: Flask, role: str) -> tuple[FlaskClient, str]:
    email, now = f"{role}@example.org", datetime.now(UTC)
    with transaction(app.extensions["db_sessions"]) as session:
        if role == "partner":
            sign_up(
                session, NewPartner("fuzz-shop", "Fuzz Shop", "shop", email, ("acme-autumn",)), PASSWORD, now
            )
        else:
            create_user(session, email, PASSWORD, Role(role), role.title(), now)
    client = app.test_client()
    token = _with_csrf(app, client)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text
    return client, _with_csrf(app, client)


@pytest.fixture(params=["sqlite", "postgres"])
def form_app(request, tmp_path):  # type: ignore[no-untyped-def]
    campaigns = tmp_path / "campaigns.yaml"
    campaigns.write_text(CAMPAIGNS)
    for url in database_url(request, tmp_path):
        app = make_app(url, tmp_path, {"CAMPAIGNS_PATH": str(campaigns), "WTF_CSRF_ENABLED": True})
        yield app
        app.extensions["db_engine"].dispose()


def test_every_post_route_is_fuzzed(app) -> None:  # type: ignore[no-untyped-def]
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert {e for e in posts if not e.startswith("api_v1.")} == set(FORMS) | NOT_FUZZED


@st.composite
def posts(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    endpoint = draw(st.sampled_from(sorted(FORMS)))
    _, urls, fields = FORMS[endpoint]
    data = {name: value for name, value in draw(st.fixed_dictionaries({}, optional=fields)).items()}
    data.update(draw(st.dictionaries(TEXT, ANY, max_size=2)))
    return endpoint, draw(urls), data


EXAMPLES = {"sqlite": 1500, "postgres": 700}


def test_any_form_post_is_answered_and_a_refusal_writes_nothing(form_app, request) -> None:  # type: ignore[no-untyped-def]
    engine = form_app.extensions["db_engine"]
    roles = ("fan", "marketer", "community_manager", "admin", "partner")
    clients = {role: _logged_in(form_app, role) for role in roles}
    last = [snapshot(engine)]

    def anonymous() -> tuple[FlaskClient, str]:
        client = form_app.test_client()
        return client, _with_csrf(form_app, client)

    def pick(role: str | None) -> tuple[FlaskClient, str]:
        return clients[role] if role else anonymous()

    @settings(
        max_examples=EXAMPLES[request.node.callspec.params["form_app"]],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(posts())
    def check(post: tuple[str, str, dict[str, Any]]) -> None:
        endpoint, url, data = post
        client, token = pick(FORMS[endpoint][0])
        response = client.post(url, data=data | {"csrf_token": token})
        assert response.status_code < 500, (endpoint, response.status_code, response.text[-800:])
        for markup in MARKUP:
            assert markup not in response.text, (endpoint, markup)
        if response.status_code >= 400:
            assert snapshot(engine) == last[0], endpoint
        else:
            last[0] = snapshot(engine)

    check()


def test_ids_beyond_their_column_are_not_found(form_app) -> None:  # type: ignore[no-untyped-def]
    # found by the fuzzer: 2**63 reached PostgreSQL's bigint and answered 500
    partner, token = _logged_in(form_app, "partner")
    answer = partner.post("/developers/redemptions/9223372036854775808/deliver", data={"csrf_token": token})
    assert answer.status_code == 404
    admin, token = _logged_in(form_app, "admin")
    answer = admin.post("/admin/users/2147483648/role", data={"csrf_token": token, "role": "marketer"})
    assert answer.status_code == 404
