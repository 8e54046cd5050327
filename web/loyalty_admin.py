"""Admin pages of the loyalty currency: approving partners, bulk grants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from accounts.roles import Role
from loyalty import grants, partners
from storage.db import transaction
from storage.models.loyalty import Partner
from web.access import role_required
from web.developers import EmptyForm

bp = Blueprint("loyalty_admin", __name__, url_prefix="/admin")


def _sessions():  # type: ignore[no-untyped-def]
    return current_app.extensions["db_sessions"]


@bp.get("/partners")
@role_required(Role.ADMIN)
def partner_list() -> str:
    """Every partner with its status; sandbox ones can be approved."""
    with _sessions()() as session:
        rows = list(session.scalars(select(Partner).order_by(Partner.created_at.desc())))
    return render_template("admin/partners.html", rows=rows, form=EmptyForm())


@bp.post("/partners/<slug>/approve")
@role_required(Role.ADMIN)
def partner_approve(slug: str) -> Any:
    """Make a partner live."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction(_sessions()) as session:
            partners.approve(session, slug, datetime.now(UTC))
    except partners.PartnerError:
        abort(404)
    return redirect(url_for("loyalty_admin.partner_list"))


class GrantForm(FlaskForm):
    """A list as CSV (pasted or uploaded), or a segment with one amount and reason."""

    csv_file = FileField("CSV file (fan,points,reason[,campaign])")
    csv_text = TextAreaField("…or paste the CSV", validators=[Length(max=2_000_000)])
    segment = StringField(
        "…or a segment (all, level:NAME, campaign:ID, min-points:N)", validators=[Length(max=200)]
    )
    points = IntegerField("Points for the segment", validators=[Optional()])
    reason = StringField("Reason for the segment", validators=[Length(max=200)])
    campaign = StringField("Campaign for the segment (optional)", validators=[Length(max=100)])


@bp.route("/grants", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def grant() -> Any:
    """Bulk grant: every row checked first, then all applied in one transaction or none."""
    form, problems, applied = GrantForm(), [], None
    if form.validate_on_submit():
        campaigns = current_app.extensions["campaigns"].current()
        try:
            if campaigns is None:
                raise grants.GrantError(["the campaigns file has errors; nothing granted"])
            with transaction(_sessions()) as session:
                rows, source = _rows(session, form)
                applied = grants.apply_bulk(
                    session, campaigns, rows, source, current_user.account.email, datetime.now(UTC)
                )
        except grants.GrantError as exc:
            problems = exc.problems
    status = 400 if problems else 200
    return render_template("admin/grants.html", form=form, problems=problems, applied=applied), status


def _rows(session: Any, form: GrantForm) -> tuple[list[grants.GrantRow], str]:
    if form.segment.data:
        fans = grants.segment(session, form.segment.data.strip())
        if not fans:
            raise grants.GrantError(["nobody is in that segment"])
        try:
            rows = [
                grants.make_row(
                    n,
                    fan,
                    form.points.data or 0,
                    (form.reason.data or "").strip(),
                    form.campaign.data or None,
                )
                for n, fan in enumerate(fans, start=1)
            ]
        except ValueError as exc:
            raise grants.GrantError([str(exc)]) from None
        return rows, f"segment {form.segment.data.strip()}"
    upload = form.csv_file.data
    text = upload.read().decode("utf-8-sig", errors="replace") if upload else (form.csv_text.data or "")
    return grants.parse_csv(text), getattr(upload, "filename", None) or "pasted list"
