"""Refuse text no page can store: a NUL character anywhere in a request's input.

PostgreSQL text cannot hold NUL (0x00), so a NUL in a form field, a URL or a JSON
body would fail deep inside a transaction as a server error; no field of Fanfare has
a use for it, so the request is refused up front with a 400 that says why (JSON for
the API), before any view reads or writes anything.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request

NUL = "\x00"
MESSAGE = "the request contains a NUL character, which no field accepts"


def init_app(app: Flask) -> None:
    """Check every request before its view runs."""
    app.before_request(_refuse_nul)


def _refuse_nul() -> Response | tuple[str, int] | None:
    if not _has_nul(request):
        return None
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": "invalid_text", "message": MESSAGE}})
        response.status_code = 400
        return response
    return MESSAGE, 400


def _has_nul(req: Any) -> bool:
    if NUL in req.path or NUL in req.query_string.decode("latin-1"):
        return True
    if any(NUL in key or NUL in value for key, value in req.args.items(multi=True)):
        return True
    if req.method in ("POST", "PUT", "PATCH"):
        if any(NUL in key or NUL in value for key, value in req.form.items(multi=True)):
            return True
        if req.is_json and _contains_nul(req.get_json(silent=True)):
            return True
    return False


def _contains_nul(value: Any) -> bool:
    """Whether a decoded JSON value holds a NUL in any string or key (iteratively: no depth limit)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
