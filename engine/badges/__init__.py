"""Badge kinds, one module each: adding a kind is adding a module to this package.

Every module here names its kind in `KIND`. An event-driven kind also exposes
`add(badge, progress, at, local) -> bool` (True once the badge is earned) and
`remove(badge, progress, at, local)` (a retracted event no longer counts);
`progress` is a JSON-serialisable dict the kind owns. Board-driven kinds (`rank`)
expose `close_periods(state, campaign, now)` instead and are judged when a
leaderboard period closes. The modules are found by scanning the package, so no
list here needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def _discover() -> dict[str, ModuleType]:
    kinds: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if kind is not None:
            kinds[kind] = module
    return kinds


KINDS: dict[str, ModuleType] = _discover()
"""Every badge kind by name."""

EVENT_KINDS: dict[str, ModuleType] = {name: m for name, m in KINDS.items() if hasattr(m, "add")}
"""Kinds advanced by matching events."""

PERIOD_KINDS: dict[str, ModuleType] = {name: m for name, m in KINDS.items() if hasattr(m, "close_periods")}
"""Kinds judged when a leaderboard period closes."""
