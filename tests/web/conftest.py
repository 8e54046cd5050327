"""The web tests use the same seeded app as the gamification tests."""

from tests.gamification.conftest import app  # noqa: F401
