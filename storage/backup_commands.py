"""`flask --app app db backup FILE` and `db restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from storage.backup import BackupError, backup, restore


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database DATABASE_URL names to FILE (the app may keep running)."""
    try:
        result = backup(current_app.extensions["db_engine"], file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up the {result.dialect} database to {result.path} ({result.size} bytes)")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's content by the backup FILE (stop the ingestion and scheduler first)."""
    if not yes:
        click.confirm("Replace every row of the database with the backup?", abort=True)
    try:
        result = restore(current_app.extensions["db_engine"], file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored the {result.dialect} database from {result.path}")
