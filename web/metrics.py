"""/metrics in the Prometheus text format, for an admin's login or a scraper's bearer token.

Scrapers cannot log in, so the view is marked `api_key_auth` (outside the login guard)
and checks itself: `Authorization: Bearer <FANFARE_METRICS_TOKEN>` or an admin session.
Without a configured token only admins can read it.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, Response, current_app, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST

from accounts.roles import Role
from observability import metrics
from web.access import api_key_auth

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@api_key_auth
def scrape() -> Response:
    """The process's counters and the database's gauges."""
    if not (_token_ok() or _admin()):
        return Response(
            "a bearer token (FANFARE_METRICS_TOKEN) or an admin login is needed\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"'},
            mimetype="text/plain",
        )
    with current_app.extensions["db_sessions"]() as session:
        body = metrics.exposition(session)
    return Response(body, 200, mimetype=CONTENT_TYPE_LATEST)


def _token_ok() -> bool:
    expected = current_app.config.get("METRICS_TOKEN") or ""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme == "Bearer" and hmac.compare_digest(presented.strip(), expected)


def _admin() -> bool:
    return bool(current_user.is_authenticated and current_user.role == Role.ADMIN.value)


def count_api_errors(response: Response) -> Response:
    """Count the Earn API's 4xx and 5xx answers by endpoint and status."""
    if response.status_code >= 400 and request.path.startswith("/api/"):
        metrics.API_ERRORS.labels(request.endpoint or "unrouted", str(response.status_code)).inc()
    return response


def init_app(app: Flask) -> None:
    """The /metrics page and the API error count."""
    app.register_blueprint(bp)
    app.after_request(count_api_errors)
