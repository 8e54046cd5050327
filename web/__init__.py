"""Web pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the access guard and every blueprint to the app."""
    from web import access, admin, auth, badges, campaigns, fan, health, i18n, leaderboard

    access.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(leaderboard.bp)
    app.register_blueprint(badges.bp)
    app.register_blueprint(fan.bp)
    app.register_blueprint(campaigns.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(health.bp)
