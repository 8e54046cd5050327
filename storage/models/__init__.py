"""Every ORM table, one module per domain; importing this package registers them all."""

from storage.models import accounts, connect, core, loyalty  # noqa: F401
