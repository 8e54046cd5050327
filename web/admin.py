"""Administrators: staff accounts, created and given roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from accounts.roles import STAFF, Role
from accounts.service import MIN_PASSWORD, AccountError, change_role, create_user
from storage.db import transaction
from storage.models.accounts import User
from web.access import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
ROLE_NAMES = {
    Role.FAN: _l("Fan"),
    Role.MARKETER: _l("Marketer"),
    Role.COMMUNITY_MANAGER: _l("Community manager"),
    Role.ADMIN: _l("Administrator"),
}


class StaffForm(FlaskForm):
    """A new staff account."""

    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_NAMES[r]) for r in STAFF])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1000)])


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users() -> Any:
    """Every account with its role; a form creating staff accounts."""
    form, status = StaffForm(), 200
    if form.validate_on_submit():
        try:
            with transaction(current_app.extensions["db_sessions"]) as session:
                account = create_user(
                    session,
                    form.email.data or "",
                    form.password.data or "",
                    Role(form.role.data),
                    form.display_name.data or "",
                    datetime.now(UTC),
                )
        except AccountError as exc:
            flash(_(str(exc)), "error")
            status = 400
        else:
            flash(_("Created %(email)s.", email=account.email), "success")
            return redirect(url_for("admin.users"))
    elif form.errors:
        status = 400
    with current_app.extensions["db_sessions"]() as session:
        everyone = session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template(
        "admin/users.html",
        form=form,
        users=everyone,
        staff=STAFF,
        role_names=ROLE_NAMES,
        me=current_user.account.id,
    ), status


@bp.post("/users/<int(max=2147483647):user_id>/role")  # users.id is a 32-bit integer
@role_required(Role.ADMIN)
def set_role(user_id: int) -> Any:
    """Give a staff account another role."""
    wanted = request.form.get("role", "")
    try:
        if wanted not in {r.value for r in STAFF}:
            raise AccountError("that role does not exist")
        with transaction(current_app.extensions["db_sessions"]) as session:
            account = change_role(session, user_id, Role(wanted), current_user.account.id)
    except AccountError as exc:
        flash(_(str(exc)), "error")
    else:
        flash(
            _("%(email)s is now %(role)s.", email=account.email, role=ROLE_NAMES[Role(account.role)]),
            "success",
        )
    return redirect(url_for("admin.users"))


# The account service's messages shown here, named so the catalogue carries their translations.
MESSAGES = (
    _l("no such user"),
    _l("you cannot change your own role"),
    _l("fans and staff are different kinds of accounts; create a new one instead"),
    _l("that role does not exist"),
)
