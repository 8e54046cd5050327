"""The fans' pages: campaigns and their leaderboards (public), with "my rank" when logged in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from engine.rules.model import Badge, Campaign, Leaderboard
from web import boards
from web.access import public
from web.cache import TtlCache, cached_for_visitors

bp = Blueprint("leaderboard", __name__)
PAGE_SIZE = 50
TOP = 10
counts = TtlCache(size=256)


@dataclass(frozen=True, slots=True)
class BoardView:
    """Which board and period a page shows."""

    campaign: Campaign
    board: Leaderboard
    name: str  # "campaign/board", the key in board_scores
    periods: list[str]
    period: str


def campaigns_in_force() -> list[Campaign]:
    """The campaigns of the file in force (none when no good file was ever loaded)."""
    current = current_app.extensions["campaigns"].current()
    return list(current.campaigns) if current else []


def badge_image(badge: Badge) -> str:
    """The badge's picture: its own `image` (a URL or a file in static/), else its kind's default."""
    if badge.image and badge.image.startswith(("https://", "http://", "/")):
        return badge.image
    return url_for("static", filename=badge.image or f"badges/{badge.kind}.svg")


def my_fan_id() -> str | None:
    """The logged-in fan's id, or None for visitors and staff."""
    if current_user.is_authenticated:
        return current_user.account.fan_id
    return None


@bp.get("/")
@public
@cached_for_visitors
def index() -> str:
    """Every campaign in force with the top of its first board."""
    tops: dict[str, list[boards.Row]] = {}
    with current_app.extensions["db_sessions"]() as session:
        for campaign in campaigns_in_force():
            if campaign.leaderboards:
                name = f"{campaign.id}/{campaign.leaderboards[0].id}"
                period = (boards.periods(session, name) or [""])[0]
                tops[campaign.id] = boards.page(session, name, period, 0, TOP)
    return render_template(
        "leaderboard/index.html", campaigns=campaigns_in_force(), tops=tops, me=my_fan_id()
    )


@bp.get("/c/<campaign_id>")
@public
@cached_for_visitors
def board(campaign_id: str) -> Any:
    """One campaign's board: tabs per board, a period choice, a search, pages of 50."""
    campaign = next((c for c in campaigns_in_force() if c.id == campaign_id), None)
    if campaign is None or not campaign.leaderboards:
        abort(404)
    query = request.args.get("q", "").strip()[:100]
    number = max(1, request.args.get("page", 1, type=int) or 1)
    me = my_fan_id()
    with current_app.extensions["db_sessions"]() as session:
        view = _board_view(session, campaign)
        if query:
            rows, total = boards.search(session, view.name, view.period, query), 0
        else:
            rows = boards.page(session, view.name, view.period, (number - 1) * PAGE_SIZE, PAGE_SIZE)
            total = _count(session, view.name, view.period)
        mine = boards.around(session, view.name, view.period, me) if me else []
        badges = boards.badges_of(session, campaign.id, sorted({r.fan for r in (*rows, *mine)}))
    return render_template(
        "leaderboard/board.html",
        view=view,
        campaign=campaign,
        rows=rows,
        mine=mine,
        me=me,
        badges=badges,
        badge_defs={b.id: b for b in campaign.badges},
        page=number,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
        query=query,
    )


def _count(session: Any, board: str, period: str) -> int:
    """How many fans a board lists, counted at most every few seconds (it only changes slowly)."""
    seconds = current_app.config.get("BOARD_CACHE_SECONDS", 0)
    key = ("count", board, period)
    found = counts.get(key) if seconds else None
    if found is None:
        found = boards.count(session, board, period)
        if seconds:
            counts.put(key, found, seconds)
    return found


def _board_view(session: Any, campaign: Campaign) -> BoardView:
    chosen = next(
        (b for b in campaign.leaderboards if b.id == request.args.get("board")), campaign.leaderboards[0]
    )
    name = f"{campaign.id}/{chosen.id}"
    periods = _periods(session, name) if chosen.period else [""]
    wanted = request.args.get("period", "")
    period = wanted if wanted in periods else (periods[0] if periods else "")
    return BoardView(campaign, chosen, name, periods, period)


def _periods(session: Any, board: str) -> list[str]:
    seconds = current_app.config.get("BOARD_CACHE_SECONDS", 0)
    found = counts.get(("periods", board)) if seconds else None
    if found is None:
        found = boards.periods(session, board)
        if seconds:
            counts.put(("periods", board), found, seconds)
    return found


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"badge_image": badge_image, "anonymous_number": boards.anonymous_number}
