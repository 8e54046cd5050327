"""German and English: Accept-Language chooses, the switch's cookie overrides, catalogues compile."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from web.i18n import compile_catalogues

ROOT = Path(__file__).resolve().parents[2]


def test_the_browser_language_chooses(client) -> None:  # type: ignore[no-untyped-def]
    german = client.get("/c/acme-autumn", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).text
    assert '<html lang="de">' in german
    assert "Einen Fan finden" in german and "Gesamt" in german and "Noch niemand hier." in german
    english = client.get("/c/acme-autumn", headers={"Accept-Language": "en-GB"}).text
    assert '<html lang="en">' in english and "Find a fan" in english and "All time" in english
    assert '<html lang="en">' in client.get("/c/acme-autumn", headers={"Accept-Language": "fr"}).text


def test_the_switch_overrides_the_browser_and_stays_on_the_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/lang/de?next=/c/acme-autumn?board=weekly")
    assert response.status_code == 302 and response.headers["Location"] == "/c/acme-autumn?board=weekly"
    page = client.get("/login", headers={"Accept-Language": "en"}).text
    assert "Anmelden" in page and "E-Mail-Adresse" in page
    client.get("/lang/en")
    assert "Log in" in client.get("/login", headers={"Accept-Language": "de"}).text
    assert client.get("/lang/de?next=//evil.example/").headers["Location"] == "/"
    client.get("/lang/xx")  # unknown languages are ignored: German stays chosen
    assert "Anmelden" in client.get("/login", headers={"Accept-Language": "en"}).text


def test_a_failed_login_is_explained_in_german(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/login", data={"email": "x@example.org", "password": "nope"}, headers={"Accept-Language": "de"}
    )
    assert "E-Mail-Adresse oder Passwort falsch" in response.text


def test_catalogues_are_compiled_when_missing_or_stale(tmp_path: Path) -> None:
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(ROOT / "translations/de/LC_MESSAGES/messages.po", target / "messages.po")
    assert compile_catalogues(tmp_path) == [target / "messages.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date: left alone
    later = (target / "messages.mo").stat().st_mtime + 10
    os.utime(target / "messages.po", (later, later))
    assert compile_catalogues(tmp_path) == [target / "messages.mo"]
    assert b"Einen Fan finden" in (target / "messages.mo").read_bytes()


def test_every_message_has_a_german_translation() -> None:
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing = [
        m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert missing == []
