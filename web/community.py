"""The community managers' pages: influencers with one-click reviews, CSV, listening, a fan's interests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.roles import Role
from engine.rules.model import CampaignSet
from monitoring.config import MonitoringConfig
from monitoring.influencers import DECISIONS, ReviewError, review
from monitoring.interests import interests, suggest_rewards
from storage.db import transaction
from storage.linked_profiles import author_label
from storage.models.core import Fan
from storage.models.monitoring import InfluencerFlag
from web import influencer_list, listening_view
from web.access import role_required, safe_path
from web.analytics import parse_day
from web.charts import Series, line_chart

bp = Blueprint("community", __name__)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"author_label": author_label}


MAX_NOTE = 2000
PAGE_SIZE = 50  # authors per page: each carries its posts and three forms
UTC_ZONE = ZoneInfo("UTC")


def _campaigns() -> CampaignSet | None:
    return current_app.extensions["campaigns"].current()


def _config() -> MonitoringConfig:
    current = _campaigns()
    return MonitoringConfig.from_mapping(current.monitoring if current else None)


def _now() -> datetime:
    current = _campaigns()
    return datetime.now(current.tz if current else UTC_ZONE)


def _today() -> date:
    return _now().date()


def _campaign_ids() -> list[str]:
    current = _campaigns()
    return [c.id for c in current.campaigns] if current else []


def _filtered_rows() -> tuple[influencer_list.Filters, list[influencer_list.Row]]:
    filters = influencer_list.parse_filters(request.args, _campaign_ids())
    with current_app.extensions["db_sessions"]() as session:
        rows = influencer_list.load_rows(session, filters, _today(), _config().influencers.window_days)
    return filters, rows


@bp.get("/influencers")
@role_required(Role.COMMUNITY_MANAGER)
def influencers() -> str:
    """Flagged authors: why, their recent posts, their reviews; filters, sorting, one-click reviews."""
    filters, rows = _filtered_rows()
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(pages, max(1, request.args.get("page", 1, type=int) or 1))
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    with current_app.extensions["db_sessions"]() as session:
        shown = influencer_list.with_details(session, shown)
    return render_template(
        "community/influencers.html",
        filters=filters,
        rows=shown,
        total=len(rows),
        page=page,
        pages=pages,
        campaigns=_campaigns().campaigns if _campaigns() else (),
        statuses=influencer_list.STATUSES,
        here=request.full_path.rstrip("?"),
    )


@bp.get("/influencers.csv")
@role_required(Role.COMMUNITY_MANAGER)
def influencers_csv() -> Response:
    """The filtered list as a CSV file (cells that a spreadsheet would run are quoted)."""
    _, rows = _filtered_rows()
    name = f"influencers-{_today().isoformat()}.csv"
    return Response(
        influencer_list.csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/influencers/review")
@role_required(Role.COMMUNITY_MANAGER)
def review_author() -> Any:
    """Approve, dismiss or note one flagged author, as the logged-in user; back to the list."""
    author = request.form.get("author", "")
    decision = request.form.get("decision", "")
    note = request.form.get("note", "").strip()[:MAX_NOTE]
    back = safe_path(request.form.get("next"), url_for("community.influencers"))
    if decision not in DECISIONS or (decision == "note" and not note):
        flash(_("Write a note first.") if decision == "note" else _("Unknown decision."), "error")
        return redirect(back)
    try:
        with transaction(current_app.extensions["db_sessions"]) as session:
            flagged = session.get(InfluencerFlag, author)
            review(
                session,
                author,
                decision,
                by=str(current_user.account.id),
                now=_now(),
                note=note,
                score=flagged.score if flagged else None,
            )
    except ReviewError:
        flash(_("%(author)s has not been flagged.", author=author), "error")
        return redirect(back)
    named = author_label(author)
    done = {
        "approve": _("%(author)s approved: invite them to the ambassador programme.", author=named),
        "dismiss": _("%(author)s dismissed.", author=named),
        "note": _("Note on %(author)s saved.", author=named),
    }
    flash(done[decision], "success")
    return redirect(back)


@bp.get("/listening")
@role_required(Role.COMMUNITY_MANAGER)
def listening() -> str:
    """Mentions and mood per day as charts and a table, spikes explained; top authors, hashtags, topics."""
    ids = _campaign_ids()
    campaign = request.args.get("campaign", "")
    campaign = campaign if campaign in ids else ""
    days = listening_view.period(request.args.get("days"))
    last = parse_day(request.args.get("until"), _today())
    with current_app.extensions["db_sessions"]() as session:
        figures = listening_view.load(session, last, campaign, days, _config().listening)
    labels = figures.labels
    spike_name = _("Negative spike")
    volume = line_chart(
        "chart-volume",
        _("Mentions per day"),
        labels,
        [Series(_("Mentions"), figures.series("mentions"))],
        figures.spike_positions,
        spike_name,
    )
    mood = line_chart(
        "chart-mood",
        _("Mood per day"),
        labels,
        [
            Series(_("Positive"), figures.series("positive")),
            Series(_("Neutral"), figures.series("neutral")),
            Series(_("Negative"), figures.series("negative")),
        ],
        figures.spike_positions,
        spike_name,
    )
    current = _campaigns()
    return render_template(
        "community/listening.html",
        figures=figures,
        result=figures.listening,
        volume=volume,
        mood=mood,
        campaigns=current.campaigns if current else (),
        campaign=campaign,
        days=days,
        periods=listening_view.PERIODS,
        until=last,
    )


@bp.get("/influencers/fan/<fan_id>")
@role_required(Role.COMMUNITY_MANAGER)
def fan(fan_id: str) -> str:
    """What a fan (or an unlinked profile) talks about, and the catalog rewards that match it."""
    current = _campaigns()
    with current_app.extensions["db_sessions"]() as session:
        known = session.get(Fan, fan_id)
        found = interests(session, fan_id)
        suggestions = suggest_rewards(session, fan_id, current.rewards if current else ())
    if known is None and not found:
        abort(404)
    return render_template(
        "community/fan.html",
        fan_id=fan_id,
        name=known.display_name if known else None,
        interests=found,
        suggestions=suggestions,
    )
