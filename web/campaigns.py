"""The marketers' pages: campaigns in force in words, editing the file, previews, analytics."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.roles import Role
from engine.rules.describe import describe_boost, describe_rule
from engine.rules.errors import ConfigError
from engine.rules.loader import load_campaigns_text
from engine.rules.model import CampaignSet
from web import analytics
from web.access import role_required
from web.charts import Series, line_chart
from web.preview import compare

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
MAX_YAML = 512 * 1024


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the YAML as shown in the editor's listing, with its errors."""

    number: int
    text: str
    errors: tuple[ConfigError, ...]


def _registry() -> Any:
    return current_app.extensions["campaigns"]


def _path() -> Path:
    return Path(current_app.config["CAMPAIGNS_PATH"])


@bp.get("")
@role_required(Role.MARKETER)
def index() -> str:
    """Every campaign in force with its rules and boosts in plain words."""
    current: CampaignSet | None = _registry().current()
    return render_template(
        "campaigns/index.html",
        current=current,
        status=_registry().status,
        describe_rule=describe_rule,
        describe_boost=describe_boost,
    )


@bp.route("/edit", methods=["GET", "POST"])
@role_required(Role.MARKETER)
def edit() -> Any:
    """The campaigns file in a text area (or uploaded); checked, and saved only when valid."""
    if request.method == "GET":
        return _editor(_read_current(), [])
    text = _submitted_text()
    if text is None:
        return _editor(request.form.get("yaml", ""), [ConfigError(1, 1, "", _("the file is too big"))]), 400
    loaded, errors = load_campaigns_text(text, _path().name)
    if loaded is None:
        return _editor(text, errors), 400
    if request.form.get("action") != "save":
        flash(_("No errors: %(count)s campaign(s).", count=len(loaded.campaigns)), "success")
        return _editor(text, [])
    save_atomically(_path(), text)
    _registry().refresh()
    flash(_("Saved: the new campaigns are in force."), "success")
    return redirect(url_for("campaigns.index"))


@bp.post("/preview")
@role_required(Role.MARKETER)
def preview() -> Any:
    """Simulate the draft and the file in force over the last 30 days' events; show the difference."""
    text = _submitted_text()
    if text is None:
        return _editor(request.form.get("yaml", ""), [ConfigError(1, 1, "", _("the file is too big"))]), 400
    draft, errors = load_campaigns_text(text, _path().name)
    if draft is None:
        return _editor(text, errors), 400
    now = datetime.now(UTC)
    with current_app.extensions["db_sessions"]() as session:
        result = compare(session, _registry().current(), draft, now)
    return render_template("campaigns/preview.html", result=result, yaml=text)


@bp.get("/<campaign_id>/analytics")
@role_required(Role.MARKETER)
def campaign_analytics(campaign_id: str) -> str:
    """Events, points and fans per rule per day, as charts and tables; which activities work."""
    current = _registry().current()
    campaign = current.campaign(campaign_id) if current else None
    if campaign is None:
        abort(404)
    today = datetime.now(UTC).date()
    until_day = analytics.parse_day(request.args.get("until"), today)
    since_day = analytics.parse_day(request.args.get("since"), until_day - timedelta(days=29))
    if since_day > until_day or (until_day - since_day).days > 366:
        since_day = until_day - timedelta(days=29)
    since = datetime.combine(since_day, time.min, UTC)
    until = datetime.combine(until_day, time.max, UTC)
    with current_app.extensions["db_sessions"]() as session:
        figures = analytics.daily(session, campaign.id, since, until)
        totals = analytics.totals(session, campaign.id, since, until)
    days = analytics.days_between(since, until)
    charts = {}
    for measure, title in (
        ("points", _("Points per day")),
        ("events", _("Events per day")),
        ("fans", _("Fans per day")),
    ):
        per = analytics.series(figures, days, measure)
        charts[measure] = (
            title,
            line_chart(f"chart-{measure}", title, days, [Series(s, v) for s, v in per.items()]),
            per,
        )
    return render_template(
        "campaigns/analytics.html",
        campaign=campaign,
        charts=charts,
        days=days,
        totals=totals,
        since=since_day,
        until=until_day,
    )


def _read_current() -> str:
    try:
        return _path().read_text(encoding="utf-8")
    except OSError:
        return ""


def _submitted_text() -> str | None:
    """The uploaded file when one was chosen, else the text area; None when too big."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_YAML + 1)
        if len(raw) > MAX_YAML:
            return None
        return raw.decode("utf-8", errors="replace")
    text = request.form.get("yaml", "")
    return None if len(text) > MAX_YAML else text.replace("\r\n", "\n")


def _editor(text: str, errors: list[ConfigError]) -> str:
    by_line: dict[int, list[ConfigError]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(error)
    lines = [Line(n, t, tuple(by_line.get(n, ()))) for n, t in enumerate(text.split("\n"), start=1)]
    beyond = [e for e in errors if e.line > len(lines)]
    return render_template(
        "campaigns/edit.html", yaml=text, errors=sorted(errors), lines=lines, beyond=beyond
    )


def save_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` in one step (a reader never sees half a file); keep the old one as .bak."""
    if path.exists():
        shutil.copy2(path, path.with_name(path.name + ".bak"))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
