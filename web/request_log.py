"""A request id for every web request, on its log lines and in the `X-Request-ID` header,
and one log line per request (method, path without the query, status, duration)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from observability.logs import REQUEST_ID

log = logging.getLogger("fanfare.web")
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def init_app(app: Flask) -> None:
    """Tag each request, log it when answered, forget it after."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    request_id = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_id, g.request_started = request_id, time.perf_counter()
    g.request_id_token = REQUEST_ID.set(request_id)


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:
        return response
    response.headers["X-Request-ID"] = request_id
    took = (time.perf_counter() - g.request_started) * 1000
    log.info("%s %s %d %.1f ms", request.method, request.path, response.status_code, took)
    return response


def _forget(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)
