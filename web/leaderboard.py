"""The fans' pages: campaigns and their leaderboards (public)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from engine.rules.model import Campaign
from storage.leaderboards import BoardIndexes, page, search
from storage.report import board_periods
from web.access import public

bp = Blueprint("leaderboard", __name__)
PAGE_SIZE = 50


def _campaigns() -> list[Campaign]:
    current = current_app.extensions["campaigns"].current()
    return list(current.campaigns) if current else []


def board_indexes() -> BoardIndexes:
    """The process's rank indexes, created on first use."""
    return current_app.extensions.setdefault("board_indexes", BoardIndexes())


@bp.get("/")
@public
def index() -> str:
    """Every campaign in force with the top of its first board."""
    sessions = current_app.extensions["db_sessions"]
    tops = {}
    with sessions() as session:
        for campaign in _campaigns():
            if campaign.leaderboards:
                name = f"{campaign.id}/{campaign.leaderboards[0].id}"
                period = (board_periods(session, name) or [""])[0]
                tops[campaign.id] = page(session, board_indexes(), name, period, 0, 10)
    return render_template("leaderboard/index.html", campaigns=_campaigns(), tops=tops)


@bp.get("/c/<campaign_id>")
@public
def board(campaign_id: str) -> str:
    """One campaign's board: tabs per board and period, a search, pages of 50."""
    campaign = next((c for c in _campaigns() if c.id == campaign_id), None)
    if campaign is None or not campaign.leaderboards:
        abort(404)
    chosen = next(
        (b for b in campaign.leaderboards if b.id == request.args.get("board")), campaign.leaderboards[0]
    )
    name = f"{campaign.id}/{chosen.id}"
    query = request.args.get("q", "").strip()
    number = max(1, request.args.get("page", 1, type=int) or 1)
    with current_app.extensions["db_sessions"]() as session:
        periods = board_periods(session, name)
        period = request.args.get("period", periods[0] if periods else "")
        shown_period = period if period in periods else ""
        indexes = board_indexes()
        if query:
            rows = search(session, indexes, name, shown_period, query)
            total = len(rows)
            rows = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        else:
            total = len(indexes.get(session, name, shown_period))
            rows = page(session, indexes, name, shown_period, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template(
        "leaderboard/board.html",
        campaign=campaign,
        board=chosen,
        periods=periods,
        period=period,
        rows=rows,
        page=number,
        pages=max(1, -(-total // PAGE_SIZE)),
        query=query,
    )
