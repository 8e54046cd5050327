"""The `monitoring:` section of campaigns.yaml: influencer thresholds, spike detector, retention.

    monitoring:
      retention_days: 90          # events older than this leave the figures, their text is purged
      listening:
        spike_days: 14            # trailing days the negative count is compared with
        spike_sigmas: 3           # today > mean + sigmas * standard deviation ...
        spike_min: 5              # ... and at least this many negative mentions
      influencers:
        window_days: 28           # engagement, reach and mood are summed over this window
        min_score: 50             # every threshold must be crossed to be flagged
        min_followers: 1000
        min_posts: 3              # posts about the brand in the last 7 days
        min_positive: 0.6         # share of those posts that are positive
        rescore_margin: 10        # a dismissed author is flagged again only this much higher
        weights: {followers: 0.25, engagement: 0.2, frequency: 0.15, reach: 0.15,
                  sentiment: 0.1, centrality: 0.15}

Every key is optional; the defaults are the values above. `read_monitoring` checks the
section with the campaign loader's `Checker`, so a mistake is reported with its line
and column like any other error in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from engine.rules.checker import Checker, join

WEIGHT_NAMES = ("followers", "engagement", "frequency", "reach", "sentiment", "centrality")
DEFAULT_WEIGHTS = {
    "followers": 0.25,
    "engagement": 0.2,
    "frequency": 0.15,
    "reach": 0.15,
    "sentiment": 0.1,
    "centrality": 0.15,
}


@dataclass(frozen=True, slots=True)
class ListeningConfig:
    """The negative-spike detector's settings."""

    spike_days: int = 14
    spike_sigmas: float = 3.0
    spike_min: int = 5


@dataclass(frozen=True, slots=True)
class InfluencerConfig:
    """When an author is flagged, and how the score weighs the features."""

    window_days: int = 28
    min_score: float = 50.0
    min_followers: int = 1000
    min_posts: int = 3
    min_positive: float = 0.6
    rescore_margin: float = 10.0
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


@dataclass(frozen=True, slots=True)
class MonitoringConfig:
    """The whole `monitoring:` section, defaults filled in."""

    retention_days: int = 90
    listening: ListeningConfig = field(default_factory=ListeningConfig)
    influencers: InfluencerConfig = field(default_factory=InfluencerConfig)

    @classmethod
    def from_mapping(cls, raw: dict[str, Any] | None) -> MonitoringConfig:
        """Build from an already checked plain mapping (`CampaignSet.monitoring`)."""
        raw = raw or {}
        influencers = dict(raw.get("influencers") or {})
        influencers["weights"] = {**DEFAULT_WEIGHTS, **(influencers.get("weights") or {})}
        return cls(
            retention_days=raw.get("retention_days", 90),
            listening=ListeningConfig(**(raw.get("listening") or {})),
            influencers=InfluencerConfig(**influencers),
        )


_INTEGERS = {"retention_days", "spike_days", "spike_min", "window_days", "min_followers", "min_posts"}
_MINIMUM = {"retention_days": 1, "spike_days": 2, "window_days": 1}


def read_monitoring(check: Checker, top: Any) -> None:
    """Check `top["monitoring"]`; every problem becomes a positioned error in `check`."""
    section = check.mapping(
        top, "monitoring", "monitoring", top["monitoring"], ("retention_days", "listening", "influencers")
    )
    if section is None:
        return
    if "retention_days" in section:
        _number(check, section, "retention_days", "monitoring.retention_days")
    for name, config in (("listening", ListeningConfig), ("influencers", InfluencerConfig)):
        if name not in section:
            continue
        path = join("monitoring", name)
        keys = [f.name for f in fields(config)]
        part = check.mapping(section, name, path, section[name], keys)
        if part is None:
            continue
        for key in part:
            if key == "weights":
                _weights(check, part, join(path, key))
            elif key in keys:
                _number(check, part, key, join(path, key))


def _number(check: Checker, parent: Any, key: str, path: str) -> None:
    if key in _INTEGERS:
        check.integer(parent, key, path, minimum=_MINIMUM.get(key, 0))
        return
    value = check.number(parent, key, path)
    if value is None:
        return
    if value < 0 or (key == "min_positive" and value > 1):
        expected = "a share from 0 to 1" if key == "min_positive" else "a number of 0 or more"
        check.error(parent, key, path, f"{value} is out of range", expected)


def _weights(check: Checker, parent: Any, path: str) -> None:
    weights = check.mapping(parent, "weights", path, parent["weights"], WEIGHT_NAMES)
    if weights is None:
        return
    for key in weights:
        if key in WEIGHT_NAMES:
            _number(check, weights, key, join(path, key))
