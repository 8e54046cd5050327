"""Every ORM table, one module per domain; importing this package registers them all."""

from storage.models import (  # noqa: F401
    accounts,
    connect,
    connectors,
    core,
    gamification,
    inbox,
    links,
    loyalty,
    monitoring,
)
