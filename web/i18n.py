"""German and English: the browser's language chooses, a cookie set by the switch overrides.

Catalogues live in translations/<lang>/LC_MESSAGES/messages.po; the compiled .mo files
are build products, made here when missing or older than their .po (never committed).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, redirect, request, url_for
from flask_babel import Babel, get_locale

from web.access import public, safe_path

LANGUAGES = ("en", "de")
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600
bp = Blueprint("i18n", __name__)
babel = Babel()


def init_app(app: Flask) -> None:
    """Compile stale catalogues, then let Flask-Babel pick each request's language."""
    compile_catalogues(Path(app.root_path) / "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES


def select_locale() -> str:
    """The switch's cookie when set, else the best match of Accept-Language, else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def current_language() -> str:
    """The language of this response, e.g. for `<html lang>`."""
    return str(get_locale() or LANGUAGES[0])


def compile_catalogues(root: Path) -> list[Path]:
    """Write each .mo whose .po is newer (atomically: several workers may start at once)."""
    written = []
    for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.replace(tmp, mo_path)
        written.append(mo_path)
    return written


@bp.get("/lang/<code>")
@public
def switch(code: str) -> Any:
    """Remember a language choice and go back to the page it was made on.

    A GET link rather than a form: it only sets a preference cookie, and it keeps
    public pages free of per-visitor tokens so they can be cached.
    """
    response = redirect(safe_path(request.args.get("next"), url_for("leaderboard.index")))
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
    return response
