"""`flask --app app enqueue FILE` and `flask --app app worker`: the inbox from the command line."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from engine.rules.errors import format_errors
from engine.rules.loader import load_campaigns
from inbox.worker import WORKER_BATCH


@click.command("enqueue")
@with_appcontext
@click.argument("events_file", type=click.File("r", encoding="utf-8"))
@click.option("--campaigns", "campaigns_file", type=click.Path(exists=True, dir_okay=False))
def enqueue_command(events_file, campaigns_file: str | None) -> None:  # type: ignore[no-untyped-def]
    """Queue EVENTS_FILE for the workers (bad lines go to the quarantine at once)."""
    from inbox.router import enqueue_lines
    from monitoring.scoring import default_scorer
    from storage.schema import ensure_schema

    campaigns, errors = load_campaigns(campaigns_file or current_app.config["CAMPAIGNS_PATH"])
    if campaigns is None:
        click.echo(format_errors(errors) + "; nothing queued", err=True)
        sys.exit(1)
    ensure_schema(current_app.extensions["db_engine"])
    report = enqueue_lines(
        current_app.extensions["db_sessions"],
        campaigns,
        events_file,
        source=getattr(events_file, "name", "stdin"),
        now=datetime.now(UTC),
        scorer=default_scorer(),
    )
    click.echo(report.summary())


@click.command("worker")
@with_appcontext
@click.option("--batch", default=WORKER_BATCH, show_default=True, help="Events per transaction, at most.")
@click.option("--until-empty", is_flag=True, help="Stop once nothing waits (default: run until stopped).")
def worker_command(batch: int, until_empty: bool) -> None:
    """Apply queued events until SIGTERM or SIGINT (a batch in flight is finished first).

    Run as many as the database can take: each batch claims partitions no other worker holds.
    """
    from inbox.worker import run
    from monitoring.scoring import default_scorer
    from storage.schema import is_current

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not is_current(app.extensions["db_engine"]):
        click.echo(
            "worker: the database schema is not current; run `flask --app app db upgrade` first", err=True
        )
        sys.exit(2)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"worker: batches of {batch}", err=True)
    report = run(
        app.extensions["db_sessions"],
        app.extensions["campaigns"].current,
        stop=stop,
        batch=batch,
        scorer=default_scorer(),
        until_empty=until_empty,
    )
    click.echo(f"worker: {report.taken} event(s) in {report.batches} batch(es); {report.ingest.summary()}")
