"""The roles a user can hold, and which pages each may open."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user is to the brand; `admin` may do everything the others may."""

    FAN = "fan"
    MARKETER = "marketer"
    COMMUNITY_MANAGER = "community_manager"
    ADMIN = "admin"
    PARTNER = "partner"  # a shop, club or star in the developer programme (docs/loyalty.md)


STAFF = (Role.MARKETER, Role.COMMUNITY_MANAGER, Role.ADMIN)


def allows(held: str, wanted: tuple[Role, ...]) -> bool:
    """Whether a user holding `held` may use something meant for `wanted`."""
    return held == Role.ADMIN or held in wanted
