"""Fixtures of the Connect tests: the loyalty app, and the sandbox provider on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from connect.sandbox_provider import SandboxUsers, create_provider_app, urls


@pytest.fixture
def provider(request, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    """The emulated X and Facebook, served in a thread; the app pointed at it."""
    app_under_test = request.getfixturevalue("loyalty_app")
    users = SandboxUsers(client_id="fanfare-test", client_secret="sandbox-secret")
    app = create_provider_app(users)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the sandbox speaks plain http on loopback
    app_under_test.config.update(urls(base))
    for platform in ("X", "FACEBOOK"):
        app_under_test.config[f"{platform}_CLIENT_ID"] = users.client_id
        app_under_test.config[f"{platform}_CLIENT_SECRET"] = users.client_secret
    yield app
    server.shutdown()
