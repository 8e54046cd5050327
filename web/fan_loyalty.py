"""A fan's own loyalty pages: confirmed identities, claim codes, birthday points."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from accounts.roles import Role
from loyalty import claim_codes, grants, identities
from storage.db import transaction
from storage.models.loyalty import FanProfile
from web.access import role_required

bp = Blueprint("fan_loyalty", __name__, url_prefix="/me")


class IdentityForm(FlaskForm):
    """An e-mail address or handle partners may name the fan by."""

    kind = SelectField("Kind", choices=list(identities.KINDS))
    value = StringField("E-mail address or handle", validators=[DataRequired(), Length(max=320)])


class ClaimForm(FlaskForm):
    """A code from a receipt, a poster or a shop's tablet."""

    code = StringField("Code", validators=[DataRequired(), Length(max=40)])


class BirthdayForm(FlaskForm):
    """Opt in to birthday points (day and month only; leave empty to opt out)."""

    month = IntegerField("Month", validators=[Optional()])
    day = IntegerField("Day", validators=[Optional()])


def _now() -> datetime:
    return datetime.now(UTC)


def _sessions():  # type: ignore[no-untyped-def]
    return current_app.extensions["db_sessions"]


def fan_id() -> str:
    """The logged-in fan's engine id (fans only reach these pages)."""
    fan = current_user.account.fan_id
    if not fan:
        abort(403)
    return str(fan)


@bp.route("/identities", methods=["GET", "POST"])
@role_required(Role.FAN)
def identity_list() -> Any:
    """The fan's identities; adding one sends a confirmation link."""
    form, error, sent = IdentityForm(), None, None
    if form.validate_on_submit():
        try:
            with transaction(_sessions()) as session:
                token = identities.add_identity(
                    session, fan_id(), form.kind.data or "", form.value.data or "", _now()
                )
        except identities.IdentityError as exc:
            error = str(exc)
        else:
            url = url_for("fan_loyalty.identity_confirm", token=token, _external=True)
            outbox = Path(current_app.config["MAIL_OUTBOX"] or Path(current_app.instance_path) / "outbox")
            identities.send_confirmation(form.kind.data or "", form.value.data or "", url, outbox, _now())
            sent = form.value.data
    with _sessions()() as session:
        rows = identities.identities_of(session, fan_id())
    status = 400 if error else 200
    return render_template(
        "fan_loyalty/identities.html", form=form, rows=rows, error=error, sent=sent
    ), status


@bp.get("/identities/confirm/<token>")
@role_required(Role.FAN)
def identity_confirm(token: str) -> Any:
    """Open the link to confirm: the identity then names this fan for partners."""
    try:
        with transaction(_sessions()) as session:
            identities.confirm(session, fan_id(), token, _now())
    except identities.IdentityError as exc:
        return render_template("fan_loyalty/message.html", message=str(exc)), 400
    return redirect(url_for("fan_loyalty.identity_list"))


@bp.route("/claim", methods=["GET", "POST"])
@role_required(Role.FAN)
def claim() -> Any:
    """Enter (or arrive by QR with) a claim code and get its points."""
    form, result = ClaimForm(), None
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    if form.validate_on_submit():
        campaigns = current_app.extensions["campaigns"].current()
        if campaigns is None:
            abort(503)
        with transaction(_sessions()) as session:
            result = claim_codes.claim(
                session, campaigns, fan_id(), form.code.data or "", request.remote_addr or "unknown", _now()
            )
    status = 400 if result is not None and result.error else 200
    return render_template("fan_loyalty/claim.html", form=form, result=result), status


@bp.route("/profile", methods=["GET", "POST"])
@role_required(Role.FAN)
def profile() -> Any:
    """Birthday points: the fan chooses whether to tell us the day."""
    form, error = BirthdayForm(), None
    if form.validate_on_submit():
        try:
            with transaction(_sessions()) as session:
                grants.set_birthday(session, fan_id(), form.month.data, form.day.data, _now())
        except grants.GrantError as exc:
            error = str(exc)
    with _sessions()() as session:
        saved = session.get(FanProfile, fan_id())
    if request.method == "GET" and saved is not None:
        form.month.data, form.day.data = saved.birthday_month, saved.birthday_day
    return render_template("fan_loyalty/profile.html", form=form, error=error), 400 if error else 200
