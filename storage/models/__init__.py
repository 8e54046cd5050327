"""Every ORM table, one module per domain; importing this package registers them all."""

from storage.models import accounts, connect, connectors, core, gamification, loyalty, monitoring  # noqa: F401
