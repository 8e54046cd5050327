"""Serve a `World` over HTTP on 127.0.0.1 in a background thread."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from connect.sandbox_provider import SandboxUsers, create_provider_app
from connectors.sandbox import graph_api, mastodon_api, x_api
from connectors.sandbox.world import World

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

OAUTH_PREFIX = "/oauth"


class QuietHandler(WSGIRequestHandler):
    """No request log: Graph API queries carry access tokens, which must never reach a log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing."""


def make_sandbox_app(world: World) -> Flask:
    """The sandbox as a WSGI app: X v2, Mastodon and Graph API routes over one world."""
    app = Flask("fanfare_sandbox")
    app.config["WORLD"] = world
    app.register_blueprint(x_api.bp)
    app.register_blueprint(mastodon_api.bp)
    app.register_blueprint(graph_api.bp)  # last: its /<version>/<id> routes are the most general
    return app


class SandboxServer:
    """A threaded local server; `url` is what the connectors' adapters point at.

    With `oauth`, it also plays the platforms' login pages at `url + "/oauth"`
    (connect.sandbox_provider): fans can link a profile in the demo as they would in
    production.
    """

    def __init__(self, world: World, port: int = 0, oauth: SandboxUsers | None = None) -> None:
        self.world = world
        served: WSGIApplication = make_sandbox_app(world)
        if oauth is not None:
            served = DispatcherMiddleware(served, {OAUTH_PREFIX: create_provider_app(oauth)})
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, served, threaded=True, request_handler=QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox", daemon=True)

    def start(self) -> SandboxServer:
        """Start serving; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
