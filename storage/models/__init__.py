"""Every ORM table, one module per domain; importing this package registers them all."""

from storage.models import core, monitoring  # noqa: F401
