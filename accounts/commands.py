"""`flask --app app users create|list`: accounts for staff, made by an operator."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.roles import Role
from accounts.service import AccountError, create_user
from storage.db import transaction
from storage.models.accounts import User

users_group = AppGroup("users", help="Accounts: create staff logins, list them.")


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", required=True, help="The name shown for this account.")
@click.password_option(help="Asked for (hidden) when not given; never pass it on a shared shell.")
def create(email: str, role: str, display_name: str, password: str) -> None:
    """Create an account with a role."""
    try:
        with transaction(current_app.extensions["db_sessions"]) as session:
            account = create_user(session, email, password, Role(role), display_name, datetime.now(UTC))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"created {account.role} {account.email}" + (f" (fan {account.fan_id})" if account.fan_id else "")
    )


@users_group.command("list")
def list_users() -> None:
    """Every account with its role."""
    with current_app.extensions["db_sessions"]() as session:
        for user in session.scalars(select(User).order_by(User.id)):
            state = "" if user.active else " (inactive)"
            click.echo(f"{user.id}\t{user.role}\t{user.email}\t{user.display_name}{state}")
