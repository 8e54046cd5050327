"""Fixtures of the web tests beyond the shared ones."""

from tests.loyalty_fixtures import loyalty_app, loyalty_client, loyalty_login  # noqa: F401  (fixtures)
