"""Monitoring commands: `flask --app app sentiment score` and `flask --app app monitoring ...`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, TextIO

import click
from flask import current_app
from flask.cli import AppGroup

from monitoring.config import MonitoringConfig
from storage.db import transaction

sentiment_group = AppGroup("sentiment", help="Score the sentiment of posts.")


@sentiment_group.command("score")
def sentiment_score() -> None:
    """Read JSON Lines {"id", "text"} on stdin, write {"id", "polarity", "label"} per line.

    A bad line is reported on stderr with its line number and skipped; the others are
    scored. The exit status is 1 when any line was bad.
    """
    bad = score_stream(sys.stdin, sys.stdout, sys.stderr)
    if bad:
        sys.exit(1)


def score_stream(lines: Iterable[str], out: TextIO, err: TextIO) -> int:
    """Score every good line of `lines` onto `out`; report bad ones on `err`; the number bad."""
    from monitoring.sentiment import score

    bad = 0
    for number, item in _items(lines):
        if isinstance(item, str):
            bad += 1
            err.write(f"line {number}: {item}\n")
            continue
        result = score(item["text"])
        out.write(
            json.dumps(
                {"id": item["id"], "polarity": result.polarity, "label": result.label}, ensure_ascii=False
            )
            + "\n"
        )
    return bad


def _items(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, {"id", "text"} or the reason the line is bad); blank lines skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not JSON: {exc.msg}"
            continue
        if not isinstance(item, dict):
            yield number, "not a JSON object"
        elif not isinstance(item.get("id"), str | int) or isinstance(item.get("id"), bool):
            yield number, "missing 'id' (a string or number)"
        elif item.get("text") is not None and not isinstance(item["text"], str):
            yield number, "'text' must be a string"
        else:
            yield number, {"id": item["id"], "text": item.get("text")}


def register(app) -> None:  # type: ignore[no-untyped-def]
    """Attach the monitoring commands to the app's CLI."""
    app.cli.add_command(sentiment_group)
    app.cli.add_command(monitoring_group)


monitoring_group = AppGroup("monitoring", help="Brand listening, influencers, interests.")


def _campaigns():  # type: ignore[no-untyped-def]
    return current_app.extensions["campaigns"].current()


def _config() -> MonitoringConfig:
    return MonitoringConfig.from_mapping(_campaigns().monitoring)


def _sessions():  # type: ignore[no-untyped-def]
    from storage.schema import ensure_schema

    ensure_schema(current_app.extensions["db_engine"])
    return current_app.extensions["db_sessions"]


@monitoring_group.command("update")
def monitoring_update() -> None:
    """Fold newly stored events into the listening, influencer and interest figures."""
    from monitoring.aggregate import update

    with transaction(_sessions()) as session:
        report = update(session, _campaigns().tz)
    click.echo(f"{report.events} new event(s) read, {report.retracted} retraction(s) taken back")


@monitoring_group.command("listen")
@click.option("--campaign", default="", help="A campaign id (default: all campaigns).")
@click.option("--days", default=14, type=click.IntRange(1, 366), help="How many days up to today.")
@click.option("--until", "until", help="The last day, YYYY-MM-DD (default: today).")
def monitoring_listen(campaign: str, days: int, until: str | None) -> None:
    """Daily mentions, mood and negative spikes; top authors, hashtags and topics."""
    from monitoring.listening import listen

    last = _day(until)
    with _sessions()() as session:
        result = listen(session, last, campaign=campaign, days=days, config=_config().listening)
    click.echo(f"{campaign or 'all campaigns'}: {days} day(s) up to {last}")
    for day in result.days:
        flag = "  NEGATIVE SPIKE" if day.spike else ""
        click.echo(
            f"  {day.day}  {day.mentions:6d} mentions  {day.positive_share:5.0%} positive"
            f"  {day.negative_share:5.0%} negative{flag}"
        )
    for title, terms in (
        ("authors", result.top_authors),
        ("hashtags", result.top_hashtags),
        ("topics", result.top_topics),
    ):
        click.echo(f"top {title}: " + (", ".join(f"{t.term} ({t.count})" for t in terms) or "-"))


def _day(value: str | None) -> date:
    if value is None:
        return datetime.now(_campaigns().tz).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint="--until") from None


@monitoring_group.command("influencers")
@click.option("--limit", default=20, type=click.IntRange(1, 1000), help="How many authors to list.")
def monitoring_influencers(limit: int) -> None:
    """Rank authors, flag those crossing the thresholds (once), list the best with reasons."""
    from monitoring.aggregate import update
    from monitoring.influencers import flag, rank

    campaigns, config = _campaigns(), _config().influencers
    brands = frozenset(c.brand.lower() for c in campaigns.campaigns if c.brand)
    now = datetime.now(campaigns.tz)
    with transaction(_sessions()) as session:
        update(session, campaigns.tz)
        ranked = rank(session, now.date(), config, brands)
        flagged = {r.author for r in flag(session, ranked, config, now)}
    for r in ranked[:limit]:
        mark = "  NEW FLAG" if r.author in flagged else ""
        click.echo(f"{r.score:5.1f}  {r.author}: {', '.join(r.reasons)}{mark}")
    click.echo(f"{len(ranked)} author(s) ranked, {len(flagged)} newly flagged")


@monitoring_group.command("review")
@click.argument("author")
@click.argument("decision", type=click.Choice(["approve", "dismiss", "note"]))
@click.option("--note", default="", help="A note for the other community managers.")
@click.option("--by", "by", required=True, help="Who decides (a user id).")
def monitoring_review(author: str, decision: str, note: str, by: str) -> None:
    """Approve (invite to the ambassador programme), dismiss, or note a flagged AUTHOR."""
    from monitoring.influencers import ReviewError, review

    try:
        with transaction(_sessions()) as session:
            record = review(session, author, decision, by=by, note=note, now=datetime.now(_campaigns().tz))
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{author}: {record.decision} by {record.by} at {record.at:%Y-%m-%d %H:%M}")


@monitoring_group.command("purge")
def monitoring_purge() -> None:
    """Take deleted and expired posts out of the figures and remove their text (run hourly)."""
    from monitoring.retention import purge_deleted

    campaigns = _campaigns()
    with transaction(_sessions()) as session:
        report = purge_deleted(session, datetime.now(campaigns.tz), campaigns.tz, _config().retention_days)
    click.echo(f"{report.deleted} deleted and {report.expired} expired post(s) purged")


@monitoring_group.command("fan")
@click.argument("fan_id")
def monitoring_fan(fan_id: str) -> None:
    """What FAN_ID talks about, and the catalog rewards matching it."""
    from monitoring.interests import interests, suggest_rewards

    with _sessions()() as session:
        found = interests(session, fan_id)
        suggestions = suggest_rewards(session, fan_id, _campaigns().rewards)
    click.echo("interests: " + (", ".join(f"{i.term} ({i.count})" for i in found) or "-"))
    for s in suggestions:
        click.echo(f"suggest {s.reward_id}: {s.name} (matches {', '.join(s.matched)})")
