"""Logging in and out over HTTP: sessions, CSRF, throttling, safe redirects."""

from __future__ import annotations

import os
import re
import stat

from app import create_app, instance_secret
from storage.db import Base


def test_a_fan_signs_up_and_is_logged_in(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/signup", data={"display_name": "Anna", "email": "anna@example.org", "password": "long enough 1"}
    )
    assert response.status_code == 302
    page = client.get("/").text
    assert "Anna" in page and "Log out" in page


def test_wrong_password_is_refused_and_the_sixth_try_is_throttled(client, login) -> None:  # type: ignore[no-untyped-def]
    login("marketer")
    client.post("/logout")
    for _ in range(5):
        response = client.post("/login", data={"email": "marketer@example.org", "password": "nope nope nope"})
        assert response.status_code == 400 and "wrong e-mail address or password" in response.text
    response = client.post("/login", data={"email": "marketer@example.org", "password": "password-1234"})
    assert response.status_code == 400 and "too many failed attempts" in response.text


def test_login_redirects_only_to_paths_of_this_site(client, login) -> None:  # type: ignore[no-untyped-def]
    login("fan")
    client.post("/logout")
    for target, expected in [("/c/x", "/c/x"), ("https://evil.example/", "/"), ("//evil.example/", "/")]:
        response = client.post(
            f"/login?next={target}", data={"email": "fan@example.org", "password": "password-1234"}
        )
        assert response.headers["Location"] == expected
        client.post("/logout")


def test_user_text_is_escaped(client) -> None:  # type: ignore[no-untyped-def]
    client.post(
        "/signup",
        data={
            "display_name": "<script>alert(1)</script>",
            "email": "x@example.org",
            "password": "long enough 1",
        },
    )
    page = client.get("/").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_forms_need_a_csrf_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.sqlite'}",
            "SECRET_KEY": "test-secret",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    Base.metadata.create_all(app.extensions["db_engine"])
    client = app.test_client()
    data = {"display_name": "Anna", "email": "anna@example.org", "password": "long enough 1"}
    assert client.post("/signup", data=data).status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/signup").text)
    assert token is not None
    assert client.post("/signup", data={**data, "csrf_token": token[1]}).status_code == 302


def test_an_installation_without_a_configured_key_makes_its_own_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "secret_key"
    first, again = instance_secret(key_file), instance_secret(key_file)
    assert len(first) == 64 and first == again
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
