"""The Graph API edges the Facebook connector uses, answered from a `World`.

As documented: a version prefix in the path, `access_token` required, `fields`
chosen by the caller, cursor paging with `paging.cursors` and a `paging.next` URL
that carries the access token (absent on the last page), errors as
`{"error": {...}}`, a JSON content type, and usage in `x-app-usage`.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from connectors.sandbox.world import World, load_payload

bp = Blueprint("sandbox_graph", __name__)
CALLS_PER_HOUR = 200  # app-level budget the usage header is computed against


def world() -> World:
    """The world this sandbox serves."""
    return current_app.config["WORLD"]  # type: ignore[no-any-return]


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with the headers facebook-sdk and the connector read."""
    w = world()
    start, used = w.usage.get("fb.app", [w.clock(), 0])
    if w.clock() >= start + 3600:
        start, used = w.clock(), 0
    w.usage["fb.app"] = [start, used + 1]
    usage = {
        "call_count": min(100, round(100 * (used + 1) / CALLS_PER_HOUR)),
        "total_cputime": 1,
        "total_time": 1,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["x-app-usage"] = json.dumps(usage)
    response.headers["facebook-api-version"] = "v26.0"
    response.headers.update(headers or {})
    return response


def gate(route: str) -> Response | None:
    """Token check and scripted faults; None when the request may go on."""
    w = world()
    w.requests.append((route, {k: v for k, v in request.args.items() if k != "access_token"}))
    if not request.args.get("access_token"):
        return answer(load_payload("graph", "error_no_token.json"), 400)
    fault = w.next_fault(route)
    if fault is None:
        return None
    answered = fault.play(answer)
    return None if fault.serve else answered


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"QVFIU{offset:08d}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int | None:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()[5:])
    except ValueError:
        return None


def _select(item: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return {k: item[k] for k in ("id", "name", "message", "created_time") if k in item}
    wanted = {f.split("{")[0].split(".")[0] for f in fields.split(",")}
    return {k: v for k, v in item.items() if k in wanted}


def edge_page(route: str, object_id: str, edge: str) -> Response:
    """A cursor-paged list under `object_id`."""
    blocked = gate(route)
    if blocked is not None:
        return blocked
    w = world()
    if edge != "tagged" and object_id not in w.fb_posts:
        return answer(load_payload("graph", "error_unsupported_get.json"), 400)
    items = list(w.fb_edges.get((object_id, edge), []))
    if edge == "reactions" and request.args.get("type"):
        items = [i for i in items if i.get("type") == request.args["type"]]
    if edge == "tagged":
        items.sort(key=lambda i: i["created_time"], reverse=True)
    limit = int(request.args.get("limit", 25))
    offset = _offset(request.args.get("after"))
    if offset is None:
        return answer({"error": {"message": "Invalid cursor", "type": "OAuthException", "code": 100}}, 400)
    page = items[offset : offset + limit]
    body: dict[str, Any] = {"data": [_select(i, request.args.get("fields")) for i in page]}
    paging: dict[str, Any] = {"cursors": {"before": _cursor(offset), "after": _cursor(offset + len(page))}}
    if offset + limit < len(items):
        query = {k: v for k, v in request.args.items() if k != "after"}
        query["after"] = _cursor(offset + limit)
        paging["next"] = f"https://graph.facebook.com/v26.0/{object_id}/{edge}?{urlencode(query)}"
    if page:
        body["paging"] = paging
    if request.args.get("summary"):
        body["summary"] = {"total_count": len(items)}
    return answer(body)


@bp.get("/<version>/<object_id>/<edge>")
def edge(version: str, object_id: str, edge: str) -> Response:
    """GET /vNN.N/{id}/{comments|reactions|sharedposts|tagged}."""
    if edge not in {"comments", "reactions", "sharedposts", "tagged"}:
        return answer(load_payload("graph", "error_unsupported_get.json"), 400)
    return edge_page(f"fb.{edge}", object_id, edge)


@bp.get("/<version>/<object_id>")
def node(version: str, object_id: str) -> Response:
    """GET /vNN.N/{post-id}: the post with its share, comment and reaction counts."""
    blocked = gate("fb.post")
    if blocked is not None:
        return blocked
    w = world()
    post = w.fb_posts.get(object_id)
    if post is None:
        return answer(load_payload("graph", "error_unsupported_get.json"), 400)
    body = dict(post)
    comments = w.fb_edges.get((object_id, "comments"), [])
    reactions = w.fb_edges.get((object_id, "reactions"), [])
    body["comments"] = {
        "data": [],
        "summary": {"order": "ranked", "total_count": len(comments), "can_comment": True},
    }
    body["reactions"] = {"data": [], "summary": {"total_count": len(reactions), "viewer_reaction": "NONE"}}
    return answer(_select(body, request.args.get("fields")) | {"id": object_id})
