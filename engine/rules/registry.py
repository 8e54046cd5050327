"""The campaigns in force: reloaded when the file changes, never replaced by a bad file."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.rules.errors import ConfigError, format_errors
from engine.rules.loader import load_campaigns
from engine.rules.model import CampaignSet

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadStatus:
    """What the last load attempt found, for the marketers' page and the logs."""

    ok: bool
    errors: tuple[ConfigError, ...]
    message: str


class CampaignRegistry:
    """Holds the last good `CampaignSet` for a file; checks for edits at most every `interval` s."""

    def __init__(
        self, path: str | Path, interval: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = Path(path)
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._set: CampaignSet | None = None
        self._mtime: float | None = None
        self._checked = float("-inf")
        self.status = LoadStatus(False, (), "not loaded yet")

    def current(self) -> CampaignSet | None:
        """The campaigns in force, after picking up a changed file."""
        if self._clock() - self._checked >= self.interval:
            self.refresh()
        return self._set

    def refresh(self) -> LoadStatus:
        """Reload when the file's modification time changed since the last look."""
        with self._lock:
            self._checked = self._clock()
            try:
                mtime = self.path.stat().st_mtime_ns
            except OSError as exc:
                return self._keep([ConfigError(1, 1, "", f"cannot read the file: {exc}", "", self.path.name)])
            if mtime == self._mtime:
                return self.status
            self._mtime = mtime
            return self._load()

    def _load(self) -> LoadStatus:
        campaigns, errors = load_campaigns(self.path)
        if campaigns is None:
            return self._keep(errors)
        self._set = campaigns
        self.status = LoadStatus(
            True, (), f"{self.path.name}: {len(campaigns.campaigns)} campaign(s) in force"
        )
        log.info(self.status.message)
        return self.status

    def _keep(self, errors: list[ConfigError]) -> LoadStatus:
        kept = "the last good campaigns stay in force" if self._set else "no campaigns are in force"
        message = f"{self.path.name} has {len(errors)} error(s); {kept}"
        self.status = LoadStatus(False, tuple(errors), message)
        log.warning("%s\n%s", message, format_errors(errors))
        return self.status
