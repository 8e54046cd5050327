"""Tokens never reach logs or stored error texts."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from connectors.redact import redact
from connectors.sandbox.server import SandboxServer
from connectors.sandbox.world import FB_POST
from tests.connectors.helpers import rig


def test_redact_hides_bearer_tokens_and_access_tokens() -> None:
    text = "GET /v26.0/x?access_token=EAAGsecret&limit=2 Authorization: Bearer AAAAsecret%3D"
    assert redact(text) == "GET /v26.0/x?access_token=***&limit=2 Authorization: Bearer ***"


def test_debug_logs_of_a_real_poll_hold_no_token(
    db_engine: Engine,
    sandbox: SandboxServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FANFARE_X_BEARER_TOKEN", "XSECRET-bearer-123")
    monkeypatch.setenv("FANFARE_FACEBOOK_PAGE_TOKEN", "EAAGFBSECRET456")
    r = rig(db_engine, sandbox.url, page_size=5)
    with caplog.at_level(logging.DEBUG):
        r.poll("x:mentions")
        r.poll(f"facebook:comments:{FB_POST}")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "Bearer ***" in text  # tweepy did log its headers, redacted
    assert "XSECRET" not in text and "EAAGFBSECRET" not in text
