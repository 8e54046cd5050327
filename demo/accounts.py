"""Demo logins, one per role, so the demo is ready to click. Only the demo creates these."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from accounts.roles import Role
from accounts.service import create_user
from storage.db import transaction
from storage.models.accounts import User

# (e-mail, password, role, display name, fan account). Local demo database only.
DEMO_USERS = (
    ("fan@demo.fanfare.test", "demo-fan-password", Role.FAN, "brewbrian", "fan-brewbrian"),
    ("marketer@demo.fanfare.test", "demo-marketer-password", Role.MARKETER, "Mara (marketing)", None),
    ("cm@demo.fanfare.test", "demo-community-password", Role.COMMUNITY_MANAGER, "Chris (community)", None),
    ("admin@demo.fanfare.test", "demo-admin-password", Role.ADMIN, "Ada (admin)", None),
)


def seed_demo_users(app: Flask) -> list[str]:
    """Create the demo logins that do not exist yet; lines saying how to log in."""
    now = datetime.now(UTC)
    with transaction(app.extensions["db_sessions"]) as session:
        known = set(session.scalars(select(User.email)))
        for email, password, role, name, fan_id in DEMO_USERS:
            if email not in known:
                create_user(session, email, password, role, name, now, fan_id=fan_id)
    return [f"  {role.value:<18} {email} / {password}" for email, password, role, _, _ in DEMO_USERS]
