"""`flask --app app connectors status|poll|links|issue-link` and `flask --app app scheduler run`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from connectors.runtime import ConnectorsNotConfigured, runtime
from connectors.status import format_status, source_statuses, spend_lines
from connectors.tracked_links import LinkError, issue_link, link_clicks, totals

connectors_group = AppGroup("connectors", help="Social connectors: status and one-off polls.")
scheduler_group = AppGroup("scheduler", help="The process that polls connectors on schedule.")


def _runtime():  # type: ignore[no-untyped-def]
    from storage.schema import ensure_schema

    ensure_schema(current_app.extensions["db_engine"])
    try:
        return runtime(current_app)
    except ConnectorsNotConfigured as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


@connectors_group.command("status")
def status() -> None:
    """Each source: last poll, lag, events fetched, errors, rate budget left, what it cannot see."""
    rt, now = _runtime(), datetime.now(UTC)
    with current_app.extensions["db_sessions"]() as session:
        lines = format_status(source_statuses(session, rt.connectors, now), now)
        lines += spend_lines(session, rt.connectors, now)
    for platform, policy in rt.settings.policy.items():
        if platform in rt.connectors.rates:
            risky = f"; allowed but risky: {', '.join(sorted(policy.risky))}" if policy.risky else ""
            lines.append(f"{platform} policy: earn {', '.join(sorted(policy.earn)) or 'nothing'}{risky}")
    lines.append("consent: only linked profiles are scored; others are stored for listening")
    for platform, spots in rt.connectors.blind_spots.items():
        lines += [f"{platform} cannot see: {spot}" for spot in spots]
    for source in rt.connectors.sources.values():
        lines += [f"{source.name} cannot see: {spot}" for spot in source.blind_spots]
    lines += [f"{p}: configured but no credentials in the environment" for p in rt.connectors.missing]
    click.echo("\n".join(lines))


@connectors_group.command("poll")
@click.argument("source", required=False)
def poll(source: str | None) -> None:
    """Poll SOURCE (a name such as x:mentions, or a platform such as x) once, now; all when omitted."""
    rt = _runtime()
    chosen = [
        s
        for name, s in rt.connectors.sources.items()
        if source is None or name == source or name.startswith(f"{source}:")
    ]
    if not chosen:
        click.echo(f"no source {source!r}; known: {', '.join(rt.connectors.sources)}", err=True)
        sys.exit(1)
    failed = False
    for item in chosen:
        outcome = rt.poller.poll(item, force=True)
        failed |= outcome.status not in {"ok", "not-due"}
        click.echo(outcome.summary())
    sys.exit(1 if failed else 0)


@scheduler_group.command("run")
def scheduler_run() -> None:
    """Poll every source on its own interval until stopped (its own process, never inside the web app)."""
    from jobs import run_scheduler

    _runtime()
    run_scheduler(current_app)


@connectors_group.command("issue-link")
@click.argument("fan")
@click.argument("campaign")
@click.argument("target")
def issue_link_command(fan: str, campaign: str, target: str) -> None:
    """Make a tracked share link for FAN in CAMPAIGN that leads to TARGET; prints the link."""
    from storage.db import transaction

    try:
        with transaction(current_app.extensions["db_sessions"]) as session:
            link = issue_link(session, fan, campaign, target, datetime.now(UTC))
            code = link.code
    except LinkError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{current_app.config['TRACKED_LINK_BASE']}{code}")


@connectors_group.command("links")
@click.option("--campaign", help="Only this campaign's links.")
def links_command(campaign: str | None) -> None:
    """Click-backs of tracked share links: per link, per fan and per campaign."""
    with current_app.extensions["db_sessions"]() as session:
        rows = link_clicks(session, campaign_id=campaign)
    if not rows:
        click.echo("no tracked links" + (f" in campaign {campaign!r}" if campaign else ""))
        return
    lines = [
        f"{r.code}  {r.fan_id}  {r.campaign_id}  {r.clicks} click-back(s)  -> {r.target_url}" for r in rows
    ]
    lines += [f"fan {fan}: {n} click-back(s)" for fan, n in sorted(totals(rows, "fan_id").items())]
    lines += [f"campaign {c}: {n} click-back(s)" for c, n in sorted(totals(rows, "campaign_id").items())]
    click.echo("\n".join(lines))
