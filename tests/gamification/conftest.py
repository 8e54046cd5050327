"""The gamification tests run on the seeded app (tests/gamification/fixtures.py)."""

from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture
def app(seeded_app: Flask) -> Flask:
    return seeded_app
