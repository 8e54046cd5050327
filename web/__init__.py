"""Web pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every blueprint to the app."""
    from web import badges, leaderboard

    app.register_blueprint(leaderboard.bp)
    app.register_blueprint(badges.bp)
