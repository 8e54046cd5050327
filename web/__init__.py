"""Web pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the access guard and every blueprint to the app."""
    from web import access, api_v1, auth, connect, developers, fan_loyalty, leaderboard, loyalty_admin

    access.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(leaderboard.bp)
    app.register_blueprint(developers.bp)
    app.register_blueprint(loyalty_admin.bp)
    app.register_blueprint(api_v1.bp)
    app.register_blueprint(fan_loyalty.bp)
    app.register_blueprint(connect.bp)
