"""Which rows of period-keyed rule state a batch of events can read or change.

Cap counters and board scores are kept per period (a cap's day or week, a board's week),
so a fan's rows pile up as a campaign runs. A batch needs only the periods its own
events fall in: the engine names a cap `campaign/rule/fan/period` and a score
`(campaign/board, period, fan)` from the time of the event it is processing, and a
retract posts its reversals at the retract's own time while giving back the cap use
its target's ledger entries name. This module works those keys out from the events,
before the engine runs, with the engine's own plan and period arithmetic, so the
store loads these rows and no others.

Keys are a superset where working out the exact one would mean repeating the engine
(a retract's campaigns, which of a profile's linked fans an event counts for): a row
loaded and not touched is harmless, a row touched and not loaded would be lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.events import Event
from engine.plan import CampaignPlan, Plan
from engine.rules.membership import members_of
from engine.rules.timing import period_key
from engine.state import Accepted, Link, linked_fan


@dataclass(slots=True)
class BatchKeys:
    """Keys of the period-keyed and per-badge rows a batch can touch."""

    caps: set[str] = field(default_factory=set)  # cap counter keys
    scores: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (board, period) -> fans
    progress: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (campaign, badge) -> fans
    challenges: set[tuple[str, str]] = field(default_factory=set)  # (campaign, challenge) answered


def batch_keys(
    plan: Plan,
    events: Sequence[Event],
    links: Mapping[str, list[Link]],
    accepted: Mapping[str, Accepted],
) -> BatchKeys:
    """The keys `events` can touch, given the links of their profiles and the stored
    events they retract (both loaded before: they decide which fan an event counts for)."""
    keys = BatchKeys()
    by_id = {event.id: event for event in events}
    candidates = _Candidates(events, links, by_id, accepted)
    for event in events:
        if event.type == "retract":
            _retract(keys, plan, candidates, event, by_id, accepted)
        elif event.type == "grant":
            named = event.attrs.get("campaign")
            chosen = plan.by_id.get(named) if isinstance(named, str) and named else None
            if chosen is not None:
                _boards(keys, chosen, event.at.astimezone(chosen.campaign.tz), candidates.of(event))
        else:
            _accept(keys, plan, candidates.of(event), event)
    return keys


def _accept(keys: BatchKeys, plan: Plan, fans: set[str], event: Event) -> None:
    """Rules, caps, badges and boards of every campaign the event belongs to, at its time."""
    challenge = event.attrs.get("challenge") if event.type == "quiz_answer" else None
    for member in members_of(plan.campaigns, event):
        campaign = member.campaign
        local = event.at.astimezone(campaign.tz)
        _caps(keys, member, event.type, fans, local)
        for badge, _kind in member.badges.get(event.type, ()):
            keys.progress.setdefault((campaign.id, badge.id), set()).update(fans)
        _boards(keys, member, local, fans)
        if challenge is not None and any(ch.id == challenge for ch in campaign.challenges):
            keys.challenges.add((campaign.id, str(challenge)))


def _retract(
    keys: BatchKeys,
    plan: Plan,
    candidates: _Candidates,
    event: Event,
    by_id: Mapping[str, Event],
    accepted: Mapping[str, Accepted],
) -> None:
    """A retract gives back its target's cap uses, posts reversals and `on: retract` rules
    at its own time, and unwinds badge progress, all for the target's fan."""
    stored = accepted.get(event.retracts or "")
    pending = by_id.get(event.retracts or "")
    if stored is not None:
        fans, target_type = {stored.fan}, stored.type
        keys.caps.update(e.cap_key for e in stored.entries if e.cap_key is not None)
    elif pending is not None:  # the target is in this batch: its own keys cover its cap uses
        fans, target_type = candidates.of(pending), pending.type
    else:
        return  # rejected: retracts an unknown event
    for member in plan.campaigns:  # the target's campaigns, or more: a superset is harmless
        campaign = member.campaign
        local = event.at.astimezone(campaign.tz)
        _caps(keys, member, "retract", fans, local)
        _boards(keys, member, local, fans)
        for badge, _kind in member.badges.get(target_type, ()):
            keys.progress.setdefault((campaign.id, badge.id), set()).update(fans)


def _caps(
    keys: BatchKeys, member: CampaignPlan, event_type: str, fans: Iterable[str], local: datetime
) -> None:
    campaign_id = member.campaign.id
    for rule, _source in member.rules.get(event_type, ()):
        if rule.cap is not None:
            period = period_key(rule.cap.per, local)
            keys.caps.update(f"{campaign_id}/{rule.id}/{fan}/{period}" for fan in fans)


def _boards(keys: BatchKeys, member: CampaignPlan, local: datetime, fans: set[str]) -> None:
    for board, name in member.boards:
        keys.scores.setdefault((name, period_key(board.period, local)), set()).update(fans)


class _Candidates:
    """Every fan an event can count for when the engine processes it.

    An event naming a `fan` counts for that fan. Any other counts for the fan its profile
    is linked to at the event's time, or for the profile itself. Where the batch itself
    links or unlinks the profile (a `profile_linked`, or a retract of one), the engine's
    answer depends on the order it meets them in: then any fan the profile was ever
    linked to or is linked to in this batch, and the profile. Elsewhere the stored links
    decide alone, as the engine will: an event of a linked profile names one fan's rows,
    not the profile's as well.
    """

    def __init__(
        self,
        events: Sequence[Event],
        links: Mapping[str, list[Link]],
        by_id: Mapping[str, Event],
        accepted: Mapping[str, Accepted],
    ) -> None:
        self.links = links
        self.linked: dict[str, set[str]] = {p: {link.fan for link in ls} for p, ls in links.items()}
        self.changing: set[str] = set()  # profiles the batch links or unlinks
        for event in events:
            if event.type == "profile_linked" and event.fan:
                profile = str(event.attrs.get("profile"))
                self.linked.setdefault(profile, set()).add(event.fan)
                self.changing.add(profile)
            elif event.type == "retract" and event.retracts:
                self.changing |= _unlinks(event.retracts, by_id, accepted)

    def of(self, event: Event) -> set[str]:
        """The fans `event` can count for (as `Engine.fan_of` may resolve it)."""
        if event.fan:
            return {event.fan}
        key = event.profile_key or f"{event.platform}:?"
        if key not in self.changing:
            return {linked_fan(self.links.get(key, ()), event.at) or key}
        return {key, *self.linked.get(key, ())}


def _unlinks(target: str, by_id: Mapping[str, Event], accepted: Mapping[str, Accepted]) -> set[str]:
    """The profile a retract of `target` unlinks, if `target` is a `profile_linked`."""
    stored, pending = accepted.get(target), by_id.get(target)
    if stored is not None and stored.type == "profile_linked" and stored.profile:
        return {stored.profile}
    if pending is not None and pending.type == "profile_linked":
        return {str(pending.attrs.get("profile"))}
    return set()
