"""Web pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the access guard and every blueprint to the app."""
    from web import (
        access,
        admin,
        api_v1,
        auth,
        badges,
        campaigns,
        community,
        connect,
        developers,
        fan,
        fan_loyalty,
        health,
        i18n,
        input_guard,
        leaderboard,
        links,
        loyalty_admin,
        metrics,
        request_log,
    )

    request_log.init_app(app)
    input_guard.init_app(app)
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
    app.register_blueprint(developers.bp)
    app.register_blueprint(loyalty_admin.bp)
    app.register_blueprint(api_v1.bp)
    app.register_blueprint(fan_loyalty.bp)
    app.register_blueprint(connect.bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(community.bp)
    metrics.init_app(app)
