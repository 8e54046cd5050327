"""A constant answer for load balancers and as the load benchmark's baseline."""

from __future__ import annotations

from flask import Blueprint, Response

from web.access import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> Response:
    """The process is up and serving."""
    return Response("ok\n", mimetype="text/plain")
