"""The fans' pages: campaigns and their leaderboards (public)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from engine.rules.model import Campaign
from storage.report import board_periods, board_standings
from web.access import public

bp = Blueprint("leaderboard", __name__)
PAGE_SIZE = 50


def _campaigns() -> list[Campaign]:
    current = current_app.extensions["campaigns"].current()
    return list(current.campaigns) if current else []


@bp.get("/")
@public
def index() -> str:
    """Every campaign in force with the top of its first board."""
    sessions = current_app.extensions["db_sessions"]
    tops = {}
    with sessions() as session:
        for campaign in _campaigns():
            if campaign.leaderboards:
                board = campaign.leaderboards[0]
                period = (board_periods(session, f"{campaign.id}/{board.id}") or [""])[0]
                tops[campaign.id] = board_standings(session, f"{campaign.id}/{board.id}", period)[:10]
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
    with current_app.extensions["db_sessions"]() as session:
        periods = board_periods(session, name)
        period = request.args.get("period", periods[0] if periods else "")
        rows = board_standings(session, name, period if period in periods else "")
    query = request.args.get("q", "").strip().casefold()
    if query:
        rows = [r for r in rows if query in r["name"].casefold() or query in r["fan"].casefold()]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "leaderboard/board.html",
        campaign=campaign,
        board=chosen,
        periods=periods,
        period=period,
        rows=shown,
        page=page,
        pages=max(1, -(-len(rows) // PAGE_SIZE)),
        query=request.args.get("q", ""),
    )
