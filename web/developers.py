"""The developer programme's pages: sign-up (public), a partner's keys, codes, webhooks, redemptions.

Plain pages; every secret (a key, a code, a webhook secret) is shown once, on the
answer to the form that made it, and never again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from accounts.roles import Role
from accounts.service import MIN_PASSWORD, AccountError
from loyalty import claim_codes, keys, partners, webhooks
from storage import redemptions
from storage.db import transaction
from storage.models.core import Fan
from storage.models.loyalty import Partner
from web.access import SessionUser, public, role_required

bp = Blueprint("developers", __name__, url_prefix="/developers")


class PartnerSignupForm(FlaskForm):
    """A shop, club or star joining the programme."""

    slug = StringField("Partner id (a-z, 0-9, '-')", validators=[DataRequired(), Length(max=60)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=list(partners.KINDS))
    email = EmailField("Contact e-mail address", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1000)])


class NewKeyForm(FlaskForm):
    """Which kind of key to make."""

    mode = SelectField("Mode", choices=list(keys.MODES))


class CodesForm(FlaskForm):
    """A batch of claim codes to print."""

    count = IntegerField("How many", default=10, validators=[NumberRange(1, claim_codes.MAX_BATCH)])
    days = IntegerField("Valid for (days)", default=30, validators=[NumberRange(1, 366)])
    value = IntegerField("Points each (optional)", validators=[Optional(), NumberRange(1, 100_000)])
    campaign = StringField("Campaign (optional)", validators=[Length(max=100)])
    label = StringField("Label (optional)", validators=[Length(max=200)])


class WebhookForm(FlaskForm):
    """An endpoint and the kinds of messages it wants."""

    url = StringField("Endpoint URL (https)", validators=[DataRequired(), Length(max=2000)])
    kinds = SelectMultipleField("Messages", choices=list(webhooks.KINDS), default=["points.credited"])


class EmptyForm(FlaskForm):
    """A button that changes something (CSRF only)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _sessions():  # type: ignore[no-untyped-def]
    return current_app.extensions["db_sessions"]


def my_partner(session: Any) -> Partner:
    """The partner the logged-in partner login manages (404 for anyone else)."""
    partner = partners.owned_by(session, current_user.account.id)
    if partner is None:
        abort(404)
    return partner


@bp.get("/")
@public
def index() -> str:
    """What the programme offers and how to join."""
    return render_template("developers/index.html")


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup() -> Any:
    """Join: a partner login, a sandbox partner and its first sandbox key, shown once."""
    form, error = PartnerSignupForm(), None
    if form.validate_on_submit():
        new = partners.NewPartner(
            form.slug.data or "", form.name.data or "", form.kind.data or "", form.email.data or ""
        )
        try:
            with transaction(_sessions()) as session:
                account, partner = partners.sign_up(session, new, form.password.data or "", _now())
                issued = keys.issue_key(session, partner, "sandbox", _now())
        except (partners.PartnerError, AccountError) as exc:
            error = str(exc)
        else:
            login_user(SessionUser(account))
            return render_template("developers/key_issued.html", issued=issued, partner=partner)
    status = 400 if error or form.errors else 200
    return render_template("developers/signup.html", form=form, error=error), status


@bp.get("/keys")
@role_required(Role.PARTNER)
def key_list() -> str:
    """The partner's keys (prefixes only) and a form for a new one."""
    with _sessions()() as session:
        partner = my_partner(session)
        rows = keys.keys_of(session, partner.id)
    return render_template(
        "developers/keys.html", partner=partner, rows=rows, form=NewKeyForm(), revoke=EmptyForm()
    )


@bp.post("/keys")
@role_required(Role.PARTNER)
def key_new() -> Any:
    """Issue a key and show it once."""
    form = NewKeyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction(_sessions()) as session:
            partner = my_partner(session)
            issued = keys.issue_key(session, partner, form.mode.data or "", _now())
    except keys.ApiKeyError as exc:
        return render_template("developers/error.html", error=str(exc)), 400
    return render_template("developers/key_issued.html", issued=issued, partner=partner)


@bp.post("/keys/<prefix>/revoke")
@role_required(Role.PARTNER)
def key_revoke(prefix: str) -> Any:
    """Revoke one of the partner's own keys."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction(_sessions()) as session:
        found = keys.revoke_key(session, prefix, _now(), partner_id=my_partner(session).id)
    if not found:
        abort(404)
    return redirect(url_for("developers.key_list"))


def _issue(form: CodesForm, count: int) -> list[str]:
    now = _now()
    with transaction(_sessions()) as session:
        return claim_codes.issue(
            session,
            my_partner(session),
            count,
            now + timedelta(days=form.days.data or 30),
            now,
            value=form.value.data,
            campaign=form.campaign.data or None,
            label=form.label.data or "",
        )


@bp.route("/codes", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def codes() -> Any:
    """Issue codes to print (receipts, posters); they are listed this once."""
    form, issued, error = CodesForm(), [], None
    if form.validate_on_submit():
        try:
            issued = [claim_codes.display(c) for c in _issue(form, form.count.data or 1)]
        except claim_codes.ClaimError as exc:
            error = str(exc)
    status = 400 if error or form.errors else 200
    return render_template("developers/codes.html", form=form, issued=issued, error=error), status


@bp.route("/codes/tablet", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def tablet() -> Any:
    """The in-store tablet: each press shows one fresh code as a QR and as text."""
    form, shown, error = CodesForm(count=1), None, None
    if form.validate_on_submit():
        try:
            code = _issue(form, 1)[0]
        except claim_codes.ClaimError as exc:
            error = str(exc)
        else:
            url = url_for("fan_loyalty.claim", code=claim_codes.display(code), _external=True)
            shown = {"code": claim_codes.display(code), "url": url, "svg": qr_svg(url)}
    return render_template("developers/tablet.html", form=form, shown=shown, error=error)


def qr_svg(data: str) -> str:
    """An SVG QR code of `data` (our own markup, safe to embed)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return image.to_string(encoding="unicode")


@bp.route("/webhooks", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def webhook_list() -> Any:
    """Subscriptions (a new one's signing secret is shown once) and the delivery log."""
    form, created, error = WebhookForm(), None, None
    if form.validate_on_submit():
        try:
            with transaction(_sessions()) as session:
                created = webhooks.subscribe(
                    session,
                    current_app.extensions["token_cipher"],
                    my_partner(session).id,
                    (form.url.data or "").strip(),
                    list(form.kinds.data or []),
                    _now(),
                )
        except webhooks.WebhookError as exc:
            error = str(exc)
    with _sessions()() as session:
        partner = my_partner(session)
        subs = webhooks.subscriptions_of(session, partner.id)
        log = webhooks.log_of(session, partner.id)
    status = 400 if error or form.errors else 200
    page = render_template(
        "developers/webhooks.html", form=form, created=created, error=error, subs=subs, log=log
    )
    return page, status


@bp.get("/redemptions")
@role_required(Role.PARTNER)
def redemption_list() -> Any:
    """The partner's rewards redeemed by fans, those still to hand over first, with a confirm button."""
    with _sessions()() as session:
        partner = my_partner(session)
        rows = redemptions.partner_redemptions(session, partner.slug)
        names = dict(
            session.execute(
                select(Fan.id, Fan.display_name).where(Fan.id.in_({r.fan_id for r in rows}))
            ).all()
        )
    campaigns = current_app.extensions["campaigns"].current()
    rewards = {r.id: r.name for r in campaigns.rewards} if campaigns else {}
    rows.sort(key=lambda r: r.delivered_at is not None)  # stable: newest first within each group
    return render_template(
        "developers/redemptions.html",
        partner=partner,
        rows=[(r, rewards.get(r.reward_id, r.reward_id), names.get(r.fan_id) or r.fan_id) for r in rows],
        form=EmptyForm(),
    )


@bp.post("/redemptions/<int(max=9223372036854775807):redemption_id>/deliver")  # a 64-bit id
@role_required(Role.PARTNER)
def redemption_deliver(redemption_id: int) -> Any:
    """Confirm a reward was handed over; the partner's webhooks hear `reward.delivered`."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction(_sessions()) as session:
            redemptions.confirm_delivery(session, my_partner(session).slug, redemption_id, _now())
    except redemptions.DeliveryError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(str(exc), "error")
    return redirect(url_for("developers.redemption_list"))
