"""Who and what may earn points when events come from watching social platforms.

`simulate` and file ingestion follow the event spec: an unlinked profile stands
for a fan. Connectors watch public activity, so their ingestion path applies a
stricter `ScoringPolicy`: only profiles whose owners linked them (and so agreed
to take part) are scored, and each platform's policy decides which event types
may earn anything at all. Events the policy does not score are still stored, for
brand listening, and retractions still apply to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.events import Event


@dataclass(frozen=True, slots=True)
class ScoringPolicy:
    """`require_link`: unlinked profiles earn nothing; `earns`: platform -> types that may earn.

    A platform missing from `earns` is not restricted.
    """

    require_link: bool = True
    earns: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def may_earn(self, event: Event) -> bool:
        """Whether the platform's policy lets this type of event earn points.

        An event the connector marked `attrs.not_credited` (a share carrying another
        fan's tracked link) earns nothing; the reason stays in its stored attrs.
        """
        if event.attrs.get("not_credited"):
            return False
        allowed = self.earns.get(event.platform)
        return allowed is None or event.type in allowed or event.type == "retract"
