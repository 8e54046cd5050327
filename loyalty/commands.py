"""CLI of the loyalty currency: `flask --app app partners|codes|grants|webhooks|identities ...`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from loyalty import claim_codes, grants, keys, partners
from storage.db import transaction

partners_group = AppGroup("partners", help="The developer programme: partners and their API keys.")


def _sessions():  # type: ignore[no-untyped-def]
    return current_app.extensions["db_sessions"]


def _now() -> datetime:
    return datetime.now(UTC)


@partners_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The name fans see.")
@click.option("--kind", type=click.Choice(partners.KINDS), required=True)
@click.option("--email", required=True, help="Who to contact about this partner.")
@click.option("--campaign", "campaigns", multiple=True, help="A campaign it may issue into (repeatable).")
@click.option("--approve", is_flag=True, help="Make it live at once (an admin's decision).")
def create(slug: str, name: str, kind: str, email: str, campaigns: tuple[str, ...], approve: bool) -> None:
    """Create a partner and print its first sandbox key (shown once)."""
    known = current_app.extensions["campaigns"].current()
    try:
        with transaction(_sessions()) as session:
            partner = partners.create_partner(
                session, partners.NewPartner(slug, name, kind, email, campaigns), _now(), known=known
            )
            if approve:
                partners.approve(session, slug, _now())
            issued = keys.issue_key(session, partner, "sandbox", _now())
    except partners.PartnerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created partner {slug} ({'live' if approve else 'sandbox'})")
    click.echo(f"sandbox key (shown once, keep it secret): {issued.secret}")


@partners_group.command("approve")
@click.argument("slug")
def approve_cmd(slug: str) -> None:
    """Make a partner live: it may then make live keys."""
    try:
        with transaction(_sessions()) as session:
            partners.approve(session, slug, _now())
    except partners.PartnerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{slug} is live")


@partners_group.command("campaigns")
@click.argument("slug")
@click.argument("campaign_ids", nargs=-1)
def campaigns_cmd(slug: str, campaign_ids: tuple[str, ...]) -> None:
    """Set the campaigns partner SLUG may issue into (none: it issues into no campaign)."""
    try:
        with transaction(_sessions()) as session:
            partners.set_campaigns(session, slug, campaign_ids, current_app.extensions["campaigns"].current())
    except partners.PartnerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{slug} issues into: {', '.join(campaign_ids) or 'no campaign'}")


@partners_group.command("keys")
@click.argument("slug")
@click.option("--new", "new_mode", type=click.Choice(keys.MODES), help="Issue a new key of this mode.")
def keys_cmd(slug: str, new_mode: str | None) -> None:
    """List a partner's keys (prefixes only), or issue a new one with --new."""
    try:
        with transaction(_sessions()) as session:
            partner = partners.by_slug(session, slug)
            issued = keys.issue_key(session, partner, new_mode, _now()) if new_mode else None
            rows = keys.keys_of(session, partner.id)
    except (partners.PartnerError, keys.ApiKeyError) as exc:
        raise click.ClickException(str(exc)) from None
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.prefix}…\t{row.mode}\t{state}")
    if issued:
        click.echo(f"new {issued.mode} key (shown once, keep it secret): {issued.secret}")


@partners_group.command("revoke")
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Revoke the key whose prefix (first 16 characters) is PREFIX."""
    with transaction(_sessions()) as session:
        done = keys.revoke_key(session, prefix.rstrip("…"), _now())
    if not done:
        raise click.ClickException(f"no active key {prefix!r}")
    click.echo(f"revoked {prefix}")


codes_group = AppGroup("codes", help="Offline claim codes.")


@codes_group.command("issue")
@click.argument("slug")
@click.option("--count", default=1, show_default=True, type=int)
@click.option("--days", default=30, show_default=True, type=int, help="Days until they expire.")
@click.option("--value", type=int, help="Points each code is worth (a rule `per: value` pays them).")
@click.option("--campaign", help="The one campaign they count in (one of the partner's).")
@click.option("--label", default="", help="A note for the partner, e.g. the poster's name.")
def codes_issue(
    slug: str, count: int, days: int, value: int | None, campaign: str | None, label: str
) -> None:
    """Print COUNT new codes for partner SLUG, one per line (their only plain copy)."""
    now = _now()
    try:
        with transaction(_sessions()) as session:
            partner = partners.by_slug(session, slug)
            codes = claim_codes.issue(
                session,
                partner,
                count,
                now + timedelta(days=days),
                now,
                value=value,
                campaign=campaign,
                label=label,
            )
    except (partners.PartnerError, claim_codes.ClaimError) as exc:
        raise click.ClickException(str(exc)) from None
    for code in codes:
        click.echo(claim_codes.display(code))


grants_group = AppGroup("grants", help="Points the programme gives: bulk lists, birthdays.")


def _campaigns():  # type: ignore[no-untyped-def]
    current = current_app.extensions["campaigns"].current()
    if current is None:
        raise click.ClickException("the campaigns file has errors; nothing granted")
    return current


@grants_group.command("bulk")
@click.argument("csv_file", type=click.File("r", encoding="utf-8"))
@click.option("--by", default="cli", help="Who grants (kept with the batch).")
def grants_bulk(csv_file, by: str) -> None:  # type: ignore[no-untyped-def]
    """Grant CSV_FILE (fan,points,reason[,campaign]): every row, or none if any is bad."""
    try:
        rows = grants.parse_csv(csv_file.read())
        with transaction(_sessions()) as session:
            applied = grants.apply_bulk(
                session, _campaigns(), rows, getattr(csv_file, "name", "stdin"), by, _now()
            )
    except grants.GrantError as exc:
        raise click.ClickException("nothing granted:\n" + "\n".join(exc.problems)) from None
    click.echo(f"granted {applied.points} points in {applied.rows} row(s) (batch {applied.batch})")


@grants_group.command("yearly")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The day to run for (default: today).")
def grants_yearly(day: datetime | None) -> None:
    """Birthday and anniversary points due up to today (a daily job; running it twice is harmless)."""
    from zoneinfo import ZoneInfo

    config = current_app.config
    today = day.date() if day else _now().astimezone(ZoneInfo(config["LOYALTY_TIMEZONE"])).date()
    with transaction(_sessions()) as session:
        count = grants.grant_yearly(
            session,
            _campaigns(),
            today,
            _now(),
            birthday=int(config["LOYALTY_BIRTHDAY_POINTS"]),
            anniversary=int(config["LOYALTY_ANNIVERSARY_POINTS"]),
        )
    click.echo(f"{count} new yearly grant(s) for {today:%Y-%m-%d}")


webhooks_group = AppGroup("webhooks", help="Webhooks out to partners.")


@webhooks_group.command("deliver")
def webhooks_deliver() -> None:
    """Send every due webhook message once (a job run every minute)."""
    from loyalty.webhooks import deliver_due

    report = deliver_due(_sessions(), current_app.extensions["token_cipher"], _now())
    click.echo(report.summary())


GROUPS = (partners_group, codes_group, grants_group, webhooks_group)
