"""Command-line interface: `flask --app app simulate|ingest|campaigns|demo ...`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from accounts.commands import users_group
from engine.events import EventError, parse_time
from engine.rules.errors import format_errors
from engine.rules.loader import load_campaigns
from engine.rules.model import CampaignSet
from engine.simulate import report, run
from gamification import commands as gamification_commands
from inbox.commands import enqueue_command, worker_command
from loyalty.commands import GROUPS as loyalty_groups
from monitoring.commands import register as register_monitoring
from monitoring.scoring import default_scorer
from storage.backup_commands import backup_command, restore_command


def register(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    app.cli.add_command(simulate)
    app.cli.add_command(ingest)
    app.cli.add_command(enqueue_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(campaigns_group)
    app.cli.add_command(demo)
    app.cli.add_command(db_group)
    db_group.add_command(backup_command)
    db_group.add_command(restore_command)
    app.cli.add_command(users_group)
    gamification_commands.register(app.cli)
    from connectors.commands import connectors_group, scheduler_group

    app.cli.add_command(connectors_group)
    app.cli.add_command(scheduler_group)
    register_monitoring(app)
    for group in loyalty_groups:
        app.cli.add_command(group)


def _load_or_exit(path: str, what: str) -> CampaignSet:
    campaigns, errors = load_campaigns(path)
    if campaigns is None:
        click.echo(format_errors(errors) + f"; {what}", err=True)
        sys.exit(1)
    return campaigns


def _now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_time(value, "--now")
    except EventError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from None


@click.command("simulate")
@click.argument("campaigns_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("events_file", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (the spec's shape).")
@click.option("--now", help="The clock that closes leaderboard periods (default: now).")
@click.option("--ledger", is_flag=True, help="Add every ledger entry with its note.")
def simulate(campaigns_file: str, events_file, as_json: bool, now: str | None, ledger: bool) -> None:  # type: ignore[no-untyped-def]
    """What CAMPAIGNS_FILE would award for EVENTS_FILE (JSON Lines), touching no database."""
    campaigns = _load_or_exit(campaigns_file, "nothing simulated")
    scorer = default_scorer() if campaigns.needs_sentiment else None
    result = report(run(campaigns, events_file, _now(now), scorer), ledger=ledger)
    if as_json:
        click.echo(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        click.echo(_summary(result))


def _summary(result: dict) -> str:  # type: ignore[type-arg]
    lines = [f"{len(result['fans'])} fan(s)"]
    for fan, data in sorted(result["fans"].items(), key=lambda kv: -kv[1]["points"]):
        badges = ", ".join(b for c in data["campaigns"].values() for b in c["badges"])
        lines.append(
            f"  {fan}: {data['points']} points, level {data['level'] or '-'}"
            + (f", badges {badges}" if badges else "")
        )
    for name, rows in result["leaderboards"].items():
        lines.append(f"{name}: " + ", ".join(f"{r['rank']}. {r['fan']} ({r['points']})" for r in rows[:10]))
    for rej in result["rejected"]:
        lines.append(f"line {rej['line']}: rejected: {rej['error']}")
    for entry in result.get("ledger", []):
        lines.append(json.dumps(entry, ensure_ascii=False))
    return "\n".join(lines)


@click.command("ingest")
@with_appcontext
@click.argument("events_file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--campaigns",
    "campaigns_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Campaigns file (default: the app's campaigns.yaml).",
)
@click.option("--now", help="The clock that closes leaderboard periods (default: now).")
def ingest(events_file, campaigns_file: str | None, now: str | None) -> None:  # type: ignore[no-untyped-def]
    """Store EVENTS_FILE in the database DATABASE_URL names and award points."""
    from pipeline import ingest_lines
    from storage.schema import ensure_schema

    campaigns = _load_or_exit(campaigns_file or current_app.config["CAMPAIGNS_PATH"], "nothing ingested")
    ensure_schema(current_app.extensions["db_engine"])
    result = ingest_lines(
        current_app.extensions["db_sessions"],
        campaigns,
        events_file,
        source=getattr(events_file, "name", "stdin"),
        now=_now(now),
        scorer=default_scorer(),
    )
    click.echo(result.summary())


campaigns_group = AppGroup("campaigns", help="Check the campaigns file.")


@campaigns_group.command("check")
@click.argument("campaigns_file", type=click.Path(exists=True, dir_okay=False), required=False)
def campaigns_check(campaigns_file: str | None) -> None:
    """Report every error in a campaigns file (exit 1 if any)."""
    path = campaigns_file or current_app.config["CAMPAIGNS_PATH"]
    campaigns = _load_or_exit(path, "not valid")
    click.echo(f"{path}: ok, {len(campaigns.campaigns)} campaign(s)")


db_group = AppGroup("db", help="Database schema.")


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bring the database DATABASE_URL names to the newest schema."""
    from storage.schema import ensure_schema

    ensure_schema(current_app.extensions["db_engine"])
    click.echo("database schema is current")


@click.command("demo")
@with_appcontext
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-serve", is_flag=True, help="Seed the demo database and stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Seed the demo, start the sandbox social platforms with live activity, and serve the app."""
    from werkzeug.serving import run_simple

    from connectors.sandbox.demo import start_demo_sources
    from demo.seed import seed_demo

    summary = seed_demo(current_app)
    click.echo(summary)
    if no_serve:
        return
    # The demo is served over plain http on this machine; production keeps secure cookies.
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # background threads need the app itself
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    sources = start_demo_sources(app)
    click.echo(f"sandbox X and Facebook APIs at {app.config['CONNECTORS_SANDBOX']}, polled live")
    click.echo(f"Fanfare is running: open http://{host}:{port}/ (Ctrl+C stops it)")
    try:
        # `app.run` refuses to block inside the flask command, so serve with werkzeug itself.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        sources.stop()
