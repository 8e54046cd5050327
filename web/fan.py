"""A fan's own page: points, level, badges, the ledger explained, challenges, their data."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts.privacy import Subject
from accounts.roles import Role
from accounts.service import authenticate
from connect import links
from engine.rewards.rules import LIMIT_REACHED, OUT_OF_STOCK
from engine.rules.model import Badge, CampaignSet, Challenge, Level, Reward
from pipeline import ingest_events
from storage import redemptions
from storage.db import transaction
from storage.linked_profiles import describe, shown_profiles
from storage.models.connect import ConnectedAccount
from storage.models.core import BadgeGrant, ChallengeSolver, Fan, LinkedProfile, StoredEvent
from storage.report import fan_ledger
from web.access import role_required
from web.connect import linkable
from web.reasons import reason

bp = Blueprint("fan", __name__, url_prefix="/me")
LEDGER_SHOWN = 200


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a fan stands between two levels."""

    level: Level | None
    next: Level | None
    percent: int  # toward `next`; 100 at the top level
    missing: int  # points still needed for `next`


@dataclass(frozen=True, slots=True)
class OpenChallenge:
    """A challenge the fan can still answer."""

    campaign: str
    challenge: Challenge


def progress(campaigns: CampaignSet | None, points: int) -> Progress:
    """The fan's level and how far they are toward the next one."""
    levels = sorted(campaigns.levels if campaigns else (), key=lambda lvl: lvl.points)
    current = next((lvl for lvl in reversed(levels) if points >= lvl.points), None)
    upcoming = next((lvl for lvl in levels if lvl.points > points), None)
    if upcoming is None:
        return Progress(current, None, 100, 0)
    base = current.points if current else 0
    percent = int(100 * (points - base) / (upcoming.points - base))
    return Progress(current, upcoming, max(0, min(100, percent)), upcoming.points - points)


def open_challenges(
    session: Session, campaigns: CampaignSet | None, fan_id: str, now: datetime
) -> list[OpenChallenge]:
    """Challenges of running campaigns, open now, not solved by this fan, winners still wanted."""
    out = []
    for campaign in campaigns.campaigns if campaigns else ():
        if (campaign.starts and now < campaign.starts) or (campaign.ends and now > campaign.ends):
            continue
        for challenge in campaign.challenges:
            if (challenge.opens and now < challenge.opens) or (challenge.closes and now > challenge.closes):
                continue
            solvers = select(ChallengeSolver.fan_id).where(
                ChallengeSolver.campaign_id == campaign.id, ChallengeSolver.challenge_id == challenge.id
            )
            solved = set(session.scalars(solvers))
            if fan_id in solved or (challenge.winners is not None and len(solved) >= challenge.winners):
                continue
            out.append(OpenChallenge(campaign.id, challenge))
    return out


def _fan_id() -> str:
    fan_id = current_user.account.fan_id
    if fan_id is None:  # an admin, who may open fan pages but has no fan account
        abort(404)
    return fan_id


def _campaigns() -> CampaignSet | None:
    return current_app.extensions["campaigns"].current()


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("")
@role_required(Role.FAN)
def me() -> str:
    """Balance, level, badges, ledger, profiles to link and unlink, challenges, rewards, claim codes."""
    fan_id, campaigns = _fan_id(), _campaigns()
    with current_app.extensions["db_sessions"]() as session:
        fan = session.get(Fan, fan_id)
        points = fan.lifetime_points if fan else 0
        balance = max(0, points - (fan.spent_points if fan else 0))
        ledger = list(reversed(fan_ledger(session, fan_id)))[:LEDGER_SHOWN]
        events = _payloads(session, {row["event"] for row in ledger})
        events |= _payloads(session, {_retracted(p) for p in events.values()} - {""})
        profiles = shown_profiles(session, fan_id)
        # a platform the fan has a profile linked on is not offered again (unlink it first)
        linked_on = {shown.key.partition(":")[0] for shown in profiles}
        grants = session.scalars(
            select(BadgeGrant).where(BadgeGrant.fan_id == fan_id).order_by(BadgeGrant.earned_at)
        ).all()
        challenges = open_challenges(session, campaigns, fan_id, _now())
        redeemed = [
            r for r in redemptions.fan_redemptions(session, fan_id) if r["status"] == redemptions.DONE
        ]
    rewards = campaigns.rewards if campaigns else ()
    names = {r.id: r.name for r in rewards}
    return render_template(
        "fan/me.html",
        fan=fan,
        points=points,
        balance=balance,
        progress=progress(campaigns, points),
        badges=[(g, _badge(campaigns, g.campaign_id, g.badge_id)) for g in grants],
        ledger=[
            (
                row,
                reason(
                    row, _explained(row, events), campaigns.campaign(row["campaign"]) if campaigns else None
                ),
            )
            for row in ledger
        ],
        profiles=profiles,
        linkable=[p for p in linkable() if p not in linked_on],
        challenges=challenges,
        rewards=rewards,
        redemptions=[(r, names.get(str(r["reward"]), r["reward"])) for r in reversed(redeemed)],
        request_key=uuid.uuid4().hex,
    )


@bp.post("/redeem")
@role_required(Role.FAN)
def redeem() -> Any:
    """Spend points on a reward through the redemption service; a refusal says which limit."""
    fan_id, campaigns = _fan_id(), _campaigns()
    reward = (
        next((r for r in campaigns.rewards if r.id == request.form.get("reward")), None)
        if campaigns
        else None
    )
    key = request.form.get("request_key", "")
    if reward is None or not (0 < len(key) <= 64 and key.isalnum()):
        abort(404)
    outcome = redemptions.redeem(
        current_app.extensions["db_sessions"],
        campaigns,
        fan_id,
        reward.id,
        now=_now(),
        request_key=f"web:{fan_id}:{key}",
    )
    if outcome.done:
        message = _(
            "You redeemed %(name)s. %(balance)s points left.", name=reward.name, balance=outcome.balance
        )
        flash(message, "success")
    else:
        flash(_refusal(reward, outcome), "error")
    return redirect(url_for("fan.me") + "#rewards-h")


def _refusal(reward: Reward, outcome: redemptions.Outcome) -> str:
    """The reason in words a fan reads."""
    if outcome.refusal_kind == OUT_OF_STOCK:
        return _("%(name)s is out of stock.", name=reward.name)
    if outcome.refusal_kind == LIMIT_REACHED:
        return _(
            "Limit reached: %(name)s can be redeemed %(count)s times per fan.",
            name=reward.name,
            count=reward.per_fan,
        )
    return _(
        "Not enough points: %(name)s costs %(cost)s, you have %(balance)s.",
        name=reward.name,
        cost=reward.cost,
        balance=outcome.balance,
    )


def _payloads(session: Session, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    query = select(StoredEvent.id, StoredEvent.payload).where(StoredEvent.id.in_(ids))
    return {event_id: payload for event_id, payload in session.execute(query)}


def _retracted(payload: dict[str, Any]) -> str:
    return str((payload.get("attrs") or {}).get("retracts", "")) if payload.get("type") == "retract" else ""


def _explained(row: dict[str, Any], events: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The event a ledger row is about; a reversal is about the event it undid."""
    event = events.get(row["event"])
    if event is not None and row["note"] == "retracted" and _retracted(event):
        return events.get(_retracted(event), event)
    return event


def _badge(campaigns: CampaignSet | None, campaign_id: str, badge_id: str) -> Badge:
    campaign = campaigns.campaign(campaign_id) if campaigns else None
    found = next((b for b in campaign.badges if b.id == badge_id), None) if campaign else None
    return found or Badge(badge_id, badge_id, "count")


@bp.post("/answer")
@role_required(Role.FAN)
def answer() -> Any:
    """Send an answer to a challenge through the engine and say what came of it."""
    fan_id, campaigns = _fan_id(), _campaigns()
    challenge, text = request.form.get("challenge", ""), request.form.get("answer", "").strip()[:500]
    if campaigns is None or not text:
        flash(_("Please write an answer."), "error")
        return redirect(url_for("fan.me"))
    event_id = f"web:quiz:{uuid.uuid4().hex}"
    event = {
        "id": event_id,
        "platform": "web",
        "type": "quiz_answer",
        "at": _now().isoformat(),
        "fan": fan_id,
        "attrs": {"challenge": challenge, "answer": text},
    }
    report = ingest_events(
        current_app.extensions["db_sessions"], campaigns, [event], source="web", now=_now()
    )
    if report.accepted != 1:
        flash(_("That challenge does not exist."), "error")
        return redirect(url_for("fan.me"))
    with current_app.extensions["db_sessions"]() as session:
        rows = [r for r in fan_ledger(session, fan_id) if r["event"] == event_id]
    won = sum(r["points"] for r in rows)
    if won > 0:
        flash(_("Correct! You earned %(points)s points.", points=won), "success")
    else:
        note = rows[0]["note"] if rows else ""
        flash(reason(rows[0], event, campaigns.campaign(rows[0]["campaign"])) if rows else note, "error")
    return redirect(url_for("fan.me"))


@bp.post("/anonymous")
@role_required(Role.FAN)
def anonymous() -> Any:
    """Appear on public leaderboards under a number instead of the display name (or not)."""
    fan_id, hide = _fan_id(), request.form.get("anonymous") == "on"
    with transaction(current_app.extensions["db_sessions"]) as session:
        session.execute(update(Fan).where(Fan.id == fan_id).values(anonymous=hide))
    flash(_("You now appear anonymously.") if hide else _("You now appear under your name."), "success")
    return redirect(url_for("fan.me"))


@bp.post("/unlink")
@role_required(Role.FAN)
def unlink() -> Any:
    """Unlink a social profile: the engine retracts the link, so its points for linking go back."""
    fan_id, campaigns = _fan_id(), _campaigns()
    profile = request.form.get("profile", "")
    with current_app.extensions["db_sessions"]() as session:
        link = session.scalar(
            select(LinkedProfile).where(
                LinkedProfile.fan_id == fan_id,
                LinkedProfile.profile_key == profile,
                LinkedProfile.unlinked_at.is_(None),
            )
        )
        shown = describe(session, profile) if link is not None else None
    if link is None or shown is None or campaigns is None:
        abort(404)
    done = _("Your %(platform)s profile %(name)s is unlinked.", platform=shown.platform, name=shown.handle)
    if _unlink_connected(fan_id, campaigns, link.link_event_id):
        flash(done, "success")
        return redirect(url_for("fan.me"))
    event = {
        "id": f"web:unlink:{uuid.uuid4().hex}",
        "platform": "web",
        "type": "retract",
        "at": _now().isoformat(),
        "fan": fan_id,
        "attrs": {"retracts": link.link_event_id},
    }
    ingest_events(current_app.extensions["db_sessions"], campaigns, [event], source="web", now=_now())
    flash(done, "success")
    return redirect(url_for("fan.me"))


def _unlink_connected(fan_id: str, campaigns: CampaignSet, link_event_id: str) -> bool:
    """A profile linked through Connect is unlinked there: its tokens go too. False if it was not."""
    with transaction(current_app.extensions["db_sessions"]) as session:
        connected = session.scalar(
            select(ConnectedAccount).where(
                ConnectedAccount.fan_id == fan_id, ConnectedAccount.link_event_id == link_event_id
            )
        )
        return connected is not None and links.unlink(session, campaigns, fan_id, connected.platform, _now())


def _subject() -> Subject:
    account = current_user.account
    return Subject(account.id, account.email, account.fan_id)


@bp.get("/data.json")
@role_required(Role.FAN)
def download() -> Response:
    """Everything kept about the fan, as one JSON file."""
    _fan_id()
    with current_app.extensions["db_sessions"]() as session:
        data = current_app.extensions["privacy"].export(session, _subject())
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-fanfare-data.json"'},
    )


@bp.post("/delete")
@role_required(Role.FAN)
def delete() -> Any:
    """Delete the account for good, after the password is given once more."""
    subject = _subject()
    with transaction(current_app.extensions["db_sessions"]) as session:
        result = authenticate(
            session, subject.email, request.form.get("password", ""), request.remote_addr or "unknown", _now()
        )
    if result.account is None or request.form.get("confirm") != "on":
        flash(_("Your account was not deleted: confirm with your password and tick the box."), "error")
        return redirect(url_for("fan.me"))
    with transaction(current_app.extensions["db_sessions"]) as session:
        current_app.extensions["privacy"].erase(session, subject)
    logout_user()
    flash(_("Your account and your personal data are deleted."), "success")
    return redirect(url_for("leaderboard.index"))
