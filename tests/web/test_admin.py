"""Administrators create staff accounts and change their roles."""

from __future__ import annotations

import re

from sqlalchemy import select

from storage.models.accounts import User


def test_an_admin_creates_a_marketer_who_can_log_in(app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("admin")
    response = client.post(
        "/admin/users",
        data={
            "display_name": "Mara",
            "email": "Mara@Example.org",
            "role": "marketer",
            "password": "long password 1",
        },
        follow_redirects=True,
    )
    assert "Created mara@example.org." in response.text
    client.post("/logout")
    client.post("/login", data={"email": "mara@example.org", "password": "long password 1"})
    assert client.get("/campaigns").status_code == 200
    assert client.get("/admin/users").status_code == 403


def test_bad_input_is_refused_with_a_reason(app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("admin")
    short = client.post(
        "/admin/users",
        data={"display_name": "X", "email": "x@example.org", "role": "marketer", "password": "short"},
    )
    assert short.status_code == 400
    fan = client.post(
        "/admin/users",
        data={"display_name": "X", "email": "x@example.org", "role": "fan", "password": "long password 1"},
    )
    assert fan.status_code == 400  # fans sign up themselves
    twice = client.post(
        "/admin/users",
        data={
            "display_name": "A",
            "email": "admin@example.org",
            "role": "marketer",
            "password": "long password 1",
        },
    )
    assert twice.status_code == 400 and "exists already" in twice.text


def test_roles_change_for_staff_only_and_never_ones_own(app, client, login) -> None:  # type: ignore[no-untyped-def]
    admin = login("admin")
    client.post("/logout")
    cm = login("community_manager")
    client.post("/logout")
    fan = login("fan")
    client.post("/logout")
    client.post("/login", data={"email": "admin@example.org", "password": "password-1234"})
    page = client.post(f"/admin/users/{cm.id}/role", data={"role": "marketer"}, follow_redirects=True).text
    assert "community_manager@example.org is now Marketer." in page
    page = client.post(f"/admin/users/{fan.id}/role", data={"role": "marketer"}, follow_redirects=True).text
    assert "fans and staff are different kinds of accounts" in page
    page = client.post(f"/admin/users/{admin.id}/role", data={"role": "marketer"}, follow_redirects=True).text
    assert "you cannot change your own role" in page
    assert len(re.findall(r'<select id="role-\d+"', page)) == 1  # only the other staff account
    with app.extensions["db_sessions"]() as session:
        roles = dict(session.execute(select(User.email, User.role)).tuples().all())
    assert roles == {
        "admin@example.org": "admin",
        "community_manager@example.org": "marketer",
        "fan@example.org": "fan",
    }
