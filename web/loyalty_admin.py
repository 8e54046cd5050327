"""Admin pages of the loyalty currency: approving partners, bulk grants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from sqlalchemy import select

from accounts.roles import Role
from loyalty import partners
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
