"""Every ORM table, one module per domain; importing this package registers them all."""

from storage.models import accounts, connectors, core, gamification, links  # noqa: F401
