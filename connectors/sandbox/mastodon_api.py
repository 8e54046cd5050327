"""The Mastodon REST endpoints the connector uses, answered from a `World`.

As Mastodon serves them: a Bearer token required (401 `{"error": ...}` without),
newest first, `max_id` / `since_id` / `min_id` windows (`min_id` gives the page
just after it), `limit` 40 by default and clamped to 80, `Link` headers with a
`next` (`max_id`) and a `prev` (`min_id`) URL on every non-empty page, the
per-account budget in `X-RateLimit-Limit|Remaining|Reset` (an ISO time) on every
answer, `{"error": "Record not found"}` for a deleted status, and 429 when the
budget is spent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from connectors.sandbox.world import MASTODON_LIMIT, MASTODON_WINDOW, World

bp = Blueprint("sandbox_mastodon", __name__)
BUDGET = "mastodon.api"  # one budget per account for every endpoint
DEFAULT_LIMIT, MAX_LIMIT = 40, 80


def world() -> World:
    """The world this sandbox serves."""
    return current_app.config["WORLD"]  # type: ignore[no-any-return]


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with the account's rate-limit headers."""
    limit, remaining, reset = world().spend(BUDGET, MASTODON_LIMIT, MASTODON_WINDOW)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(
        {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
    )
    response.headers.update(headers or {})
    return response


def gate(route: str) -> Response | None:
    """Auth, scripted faults and a spent budget; None when the request may go on."""
    w = world()
    w.requests.append((route, {k: ",".join(request.args.getlist(k)) for k in request.args}))
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return answer({"error": "The access token is invalid"}, 401)
    fault = w.next_fault(route)
    if fault is not None:
        answered = fault.play(answer)
        if not fault.serve:
            return answered
    start, used = w.usage.get(BUDGET, [0, 0])
    if used >= MASTODON_LIMIT and w.clock() < start + MASTODON_WINDOW:
        return answer({"error": "Too many requests"}, 429)
    return None


def _limit() -> int:
    raw = request.args.get("limit", "")
    return min(MAX_LIMIT, max(1, int(raw))) if raw.isdigit() else DEFAULT_LIMIT


def window(items: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """The page of `(key, item)` pairs (any order) the id parameters ask for, newest first."""
    args, size = request.args, _limit()
    chosen = sorted(items, key=lambda pair: pair[0], reverse=True)
    if args.get("max_id", "").isdigit():
        chosen = [p for p in chosen if p[0] < int(args["max_id"])]
    if args.get("since_id", "").isdigit():
        chosen = [p for p in chosen if p[0] > int(args["since_id"])]
    if args.get("min_id", "").isdigit():
        return [p for p in chosen if p[0] > int(args["min_id"])][-size:]
    return chosen[:size]


def link_header(page: list[tuple[int, Any]]) -> dict[str, str]:
    """`next` (older, `max_id`) and `prev` (newer, `min_id`) URLs, as Mastodon sends them."""
    if not page:
        return {}
    keep = [
        (k, v)
        for k in request.args
        if k not in {"max_id", "min_id", "since_id"}
        for v in request.args.getlist(k)
    ]
    base = request.base_url
    older = urlencode([*keep, ("max_id", str(page[-1][0]))])
    newer = urlencode([*keep, ("min_id", str(page[0][0]))])
    return {"Link": f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'}


@bp.get("/api/v1/notifications")
def notifications() -> Response:
    """GET /api/v1/notifications with `types[]` / `exclude_types[]` filters."""
    blocked = gate("mastodon.notifications")
    if blocked is not None:
        return blocked
    types = set(request.args.getlist("types[]"))
    excluded = set(request.args.getlist("exclude_types[]"))
    with world().lock:
        items = [
            (int(n["id"]), n)
            for n in world().m_notifications
            if (not types or n["type"] in types) and n["type"] not in excluded
        ]
    page = window(items)
    return answer([n for _, n in page], headers=link_header(page))


@bp.get("/api/v1/statuses/<status_id>")
def status(status_id: str) -> Response:
    """GET /api/v1/statuses/:id (404 once deleted)."""
    blocked = gate("mastodon.status")
    if blocked is not None:
        return blocked
    found = world().m_statuses.get(status_id)
    return answer(found) if found is not None else answer({"error": "Record not found"}, 404)


def _accounts(route: str, status_id: str, lists: dict[str, list[dict[str, Any]]]) -> Response:
    blocked = gate(route)
    if blocked is not None:
        return blocked
    if status_id not in world().m_statuses:
        return answer({"error": "Record not found"}, 404)
    with world().lock:
        accounts = list(lists.get(status_id, []))
    # Mastodon pages these by the id of the reblog or favourite itself: newest first, highest.
    page = window([(len(accounts) - index, account) for index, account in enumerate(accounts)])
    return answer([a for _, a in page], headers=link_header(page))


@bp.get("/api/v1/statuses/<status_id>/reblogged_by")
def reblogged_by(status_id: str) -> Response:
    """GET /api/v1/statuses/:id/reblogged_by."""
    return _accounts("mastodon.reblogged_by", status_id, world().m_reblogs)


@bp.get("/api/v1/statuses/<status_id>/favourited_by")
def favourited_by(status_id: str) -> Response:
    """GET /api/v1/statuses/:id/favourited_by."""
    return _accounts("mastodon.favourited_by", status_id, world().m_favourites)
