"""Badge kinds, one module each; adding a kind is adding a module and a line below.

An event-driven kind exposes `add(badge, progress, at, local) -> bool` (True once the
badge is earned) and `remove(badge, progress, at, local)` (a retracted event no longer
counts). `progress` is a JSON-serialisable dict the kind owns. Board-driven kinds
(`rank`) are judged when a leaderboard period closes (engine/badges/rank.py).
"""

from __future__ import annotations

from types import ModuleType

from engine.badges import count, streak, within

EVENT_KINDS: dict[str, ModuleType] = {"count": count, "streak": streak, "within": within}
