"""Commands: `flask --app app standings|fan ...` over the stored boards and fans."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from engine.rules.model import Campaign, CampaignSet, Leaderboard
from engine.rules.timing import ALL_TIME, period_key
from storage.badge_exports import ExportError, export_badge
from storage.fan_profile import fan_profile
from storage.leaderboards import BoardIndexes, around, page
from storage.redemptions import RedemptionError, redeem
from storage.report import board_periods


def register(cli: click.Group) -> None:
    """Attach this area's commands to the app's CLI."""
    cli.add_command(standings)
    cli.add_command(fan)
    cli.add_command(redeem_command)
    cli.add_command(badge_group)


def _campaigns() -> CampaignSet:
    registry = current_app.extensions["campaigns"]
    current = registry.current()
    if current is None:
        raise click.ClickException(registry.status.message)
    return current


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=1, ensure_ascii=False))


def _board(campaign: Campaign, board_id: str | None) -> Leaderboard:
    if not campaign.leaderboards:
        raise click.ClickException(f"campaign {campaign.id!r} has no leaderboards")
    if board_id is None:
        return campaign.leaderboards[0]
    found = next((b for b in campaign.leaderboards if b.id == board_id), None)
    if found is None:
        known = ", ".join(b.id for b in campaign.leaderboards)
        raise click.ClickException(
            f"campaign {campaign.id!r} has no leaderboard {board_id!r} (known: {known})"
        )
    return found


def _period(campaign: Campaign, board: Leaderboard, given: str | None, stored: list[str]) -> str:
    """The period containing `given` (any date in it), else the newest with scores."""
    if board.period is None:
        return ALL_TIME
    if given is None:
        return stored[0] if stored else period_key(board.period, datetime.now(UTC).astimezone(campaign.tz))
    try:
        day = date.fromisoformat(given)
    except ValueError:
        raise click.BadParameter(f"{given!r} is not a date (YYYY-MM-DD)", param_hint="--period") from None
    return period_key(board.period, datetime(day.year, day.month, day.day, 12, tzinfo=campaign.tz))


@click.command("standings")
@with_appcontext
@click.argument("campaign_id")
@click.option("--leaderboard", "board_id", help="Board id (default: the campaign's first).")
@click.option("--period", help="Any date in the period (default: the newest period with scores).")
@click.option("--fan", "fan_id", help="Show this fan's rank and the fans around them instead of a page.")
@click.option("--page", "number", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--size", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def standings(
    campaign_id: str,
    board_id: str | None,
    period: str | None,
    fan_id: str | None,
    number: int,
    size: int,
    as_json: bool,
) -> None:
    """A campaign's leaderboard: ranks 1, 2, 2, 4, earlier-reached scores first."""
    campaign = _campaigns().campaign(campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id!r} in force")
    board = _board(campaign, board_id)
    name = f"{campaign.id}/{board.id}"
    indexes: BoardIndexes = current_app.extensions.setdefault("board_indexes", BoardIndexes())
    with current_app.extensions["db_sessions"]() as session:
        key = _period(campaign, board, period, board_periods(session, name))
        total = len(indexes.get(session, name, key))
        if fan_id:
            rows = around(session, indexes, name, key, fan_id)
        else:
            rows = page(session, indexes, name, key, (number - 1) * size, size)
    result = {
        "campaign": campaign.id,
        "leaderboard": board.id,
        "period": key or None,
        "listed": total,
        "rows": rows,
    }
    if fan_id:
        mine = next((r for r in rows if r["fan"] == fan_id), None)
        result["fan"] = {"fan": fan_id, "rank": mine["rank"] if mine else None}
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{campaign.id}/{board.id}" + (f" {key}" if key else "") + f": {total} fan(s) listed")
    if fan_id and not any(r["fan"] == fan_id for r in rows):
        click.echo(f"{fan_id} is not on this board")
    for row in rows:
        mark = "  <" if row["fan"] == fan_id else ""
        click.echo(f"{row['rank']:>6}  {row['points']:>8}  {row['name']}{mark}")


@click.command("fan")
@with_appcontext
@click.argument("fan_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def fan(fan_id: str, as_json: bool) -> None:
    """A fan's points, balance, level, badges and ledger (with the reason for every entry)."""
    campaigns = current_app.extensions["campaigns"].current()
    with current_app.extensions["db_sessions"]() as session:
        profile = fan_profile(session, campaigns, fan_id)
    if profile is None:
        click.echo(f"no fan {fan_id!r}", err=True)
        sys.exit(1)
    if as_json:
        _echo_json(profile)
        return
    click.echo(
        f"{profile['name']}: {profile['points']} points, balance {profile['balance']}, "
        f"level {profile['level'] or '-'}"
    )
    for badge in profile["badges"]:
        click.echo(f"  badge {badge['campaign']}/{badge['badge']} ({badge['name']}) {badge['earned_at']}")
    for entry in profile["ledger"]:
        source = next((f"{k}:{entry[k]}" for k in ("rule", "challenge", "reward") if k in entry), "")
        note = f"  ({entry['note']})" if entry["note"] else ""
        click.echo(f"  {entry['at']}  {entry['points']:>+6}  {entry['campaign']}  {source}{note}")


@click.command("redeem")
@with_appcontext
@click.argument("fan_id")
@click.argument("reward_id")
@click.option("--key", "request_key", help="A request key: the same key redeems once however often sent.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def redeem_command(fan_id: str, reward_id: str, request_key: str | None, as_json: bool) -> None:
    """Spend FAN's balance on REWARD from the catalog (exit 1 when refused, with the reason)."""
    try:
        outcome = redeem(
            current_app.extensions["db_sessions"],
            _campaigns(),
            fan_id,
            reward_id,
            now=datetime.now(UTC),
            request_key=request_key,
        )
    except RedemptionError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json(
            {
                "status": outcome.status,
                "reason": outcome.reason,
                "redemption": outcome.redemption_id,
                "reward": outcome.reward,
                "cost": outcome.cost,
                "balance": outcome.balance,
            }
        )
    elif outcome.done:
        click.echo(f"{fan_id} redeemed {reward_id} for {outcome.cost} points; balance {outcome.balance}")
    else:
        click.echo(f"refused: {outcome.reason} (balance {outcome.balance})", err=True)
    if not outcome.done:
        sys.exit(1)


badge_group = AppGroup("badge", help="Portable badges (Open Badges).")


@badge_group.command("export")
@click.argument("fan_id")
@click.argument("campaign_id")
@click.argument("badge_id")
@click.option(
    "--email", help="The address the fan's backpack knows them by (stored; only its hash is published)."
)
@click.option("--url", "profile_url", help="Or a URL that identifies the fan.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["ob2", "ob3"]),
    default="ob2",
    show_default=True,
    help="ob2: the hosted Open Badges 2.0 assertion (JSON-LD); ob3: a signed 3.0 credential (VC-JWT).",
)
def badge_export(
    fan_id: str, campaign_id: str, badge_id: str, email: str | None, profile_url: str | None, form: str
) -> None:
    """Export a badge FAN earned in CAMPAIGN as an Open Badges assertion a backpack accepts."""
    from gamification import openbadges as ob
    from web.badges import find_badge, issuer_for, signing_key

    if bool(email) == bool(profile_url):
        raise click.UsageError("give exactly one recipient: --email or --url")
    found = find_badge(campaign_id, badge_id)
    if found is None:
        raise click.ClickException(f"no badge {campaign_id}/{badge_id} in the campaigns in force")
    try:
        exported = export_badge(
            current_app.extensions["db_sessions"],
            fan_id,
            campaign_id,
            badge_id,
            identity_type="email" if email else "url",
            identity=email or profile_url or "",
            now=datetime.now(UTC),
        )
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    issuer = issuer_for(current_app)
    if form == "ob3":
        click.echo(ob.signed_credential(issuer, signing_key(current_app), *found, exported))
    else:
        _echo_json(ob.assertion(issuer, *found, exported))
