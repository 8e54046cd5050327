"""Web pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the access guard and every blueprint to the app."""
    from web import access, auth, badges, leaderboard, links

    access.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(leaderboard.bp)
    app.register_blueprint(badges.bp)
    app.register_blueprint(links.bp)
