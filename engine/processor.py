"""The engine: one accepted event in, ledger entries, badges and board scores out.

`Engine.process` is the only place campaigns turn events into points. `simulate`
drives it over a file in memory; ingestion drives it over batches whose state the
database store loaded. Both get identical results because both run this code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from engine import badges
from engine.events import Event
from engine.leaderboards.boards import post_to_boards
from engine.plan import CampaignPlan, Plan
from engine.policy import ScoringPolicy
from engine.rules.checker import to_decimal
from engine.rules.conditions import all_hold
from engine.rules.membership import in_campaign_time, members_of
from engine.rules.model import Campaign, CampaignSet, Challenge, Rule
from engine.rules.parts import normalize_answer
from engine.rules.timing import in_window, period_key
from engine.state import Accepted, EngineState, Entry, FanState, Grant, Link

Scorer = Callable[[str | None], float]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one event: accepted, ignored as a duplicate, or rejected (why)."""

    status: str  # "accepted" | "duplicate" | "rejected"
    error: str = ""
    fan: str | None = None


ACCEPTED = "accepted"
DUPLICATE = Outcome("duplicate")


class RejectedEvent(Exception):
    """A well-formed event the current state cannot accept (e.g. retracting the unknown)."""


class Engine:
    """Applies a `CampaignSet` to events against an `EngineState`."""

    def __init__(
        self,
        campaigns: CampaignSet,
        state: EngineState,
        scorer: Scorer | None = None,
        policy: ScoringPolicy | None = None,
    ) -> None:
        self.campaigns = campaigns
        self.state = state
        self.scorer = scorer
        self.policy = policy  # None: the spec's behaviour (an unlinked profile stands for a fan)
        self.plan = Plan(campaigns)
        # Accepted records name their campaigns; one shared tuple per combination, not per event.
        self._member_ids: dict[tuple[str, ...], tuple[str, ...]] = {}

    def process(self, event: Event) -> Outcome:
        """Apply one event; the same id twice is a no-op."""
        if event.id in self.state.seen:
            return DUPLICATE
        try:
            if event.type == "retract":
                fan = self._retract(event)
            elif event.type == "grant":
                fan = self._grant(event)
            else:
                fan = self._accept(event)
        except RejectedEvent as exc:
            return Outcome("rejected", str(exc))
        return Outcome(ACCEPTED, fan=fan)

    def close_periods(self, now: datetime) -> None:
        """Grant leaderboard badges for every board period closed by `now`."""
        for campaign in self.campaigns.campaigns:
            for kind in badges.PERIOD_KINDS.values():
                kind.close_periods(self.state, campaign, now)

    # -- accepting -------------------------------------------------------------------

    def fan_of(self, event: Event) -> str | None:
        """The fan an event counts for: its `fan`, a linked fan, or the profile key itself.

        Under a policy that requires a link, an unlinked profile counts for no one (None).
        """
        if event.fan:
            return event.fan
        key = event.profile_key or f"{event.platform}:?"
        linked = self.state.resolve(key, event.at) if self.state.links else None  # none: nothing to look up
        if linked is None and self.policy is not None and self.policy.require_link:
            return None
        return linked or key

    def _accept(self, event: Event) -> str:
        state, fan = self.state, self.fan_of(event)
        if fan is None:
            return self._monitor(event)
        if event.type == "quiz_answer":
            self._check_challenge_known(event)
        state.seen.add(event.id)
        if event.type == "profile_linked":
            state.add_link(str(event.attrs["profile"]), Link(fan, event.at, event.id))
        may_earn = self.policy is None or self.policy.may_earn(event)  # self._may_earn, inline
        members = members_of(self.plan.campaigns, event) if may_earn else []
        entries: list[Entry] = []
        joined = state.fan(fan).campaigns
        polarity = self._polarity(event) if members else 0.0
        zones: dict[ZoneInfo, datetime] = {}  # campaigns mostly share a timezone: convert once
        kind = event.type
        for plan in members:
            campaign = plan.campaign
            if campaign.id not in joined:
                state.join_campaign(fan, campaign.id)
            local = zones.get(campaign.tz) or zones.setdefault(campaign.tz, event.at.astimezone(campaign.tz))
            if kind == "quiz_answer":
                entries.extend(self._answer(plan, event, fan))
            for rule, source in plan.rules.get(kind, ()):
                entry = self._apply_rule(plan, rule, source, event, fan, local, polarity)
                if entry is not None:
                    entries.append(entry)
            if plan.badges.get(kind):
                self._advance_badges(plan, event, fan, local)
        if kind == "quiz_answer":
            self._answer_outside(event, fan, members, entries)
        targets = state.retract_targets
        if targets is None or event.id in targets:  # state.remembers(event.id), inline
            self._remember_accepted(event, fan, members, entries)
        else:
            state.next_seq()  # keep processing order numbers the same either way
        return fan

    def _may_earn(self, event: Event) -> bool:
        return self.policy is None or self.policy.may_earn(event)

    def _monitor(self, event: Event) -> str:
        """Store an event of an unlinked profile for listening; it belongs to no fan and earns nothing.

        It names the campaigns whose time and content it matches all the same: that is what
        makes it "about the brand" for monitoring (listening, influencers), and the people
        who talk about a brand without being in its programme are the ones worth finding.
        Having no fan, it can neither earn nor be penalised nor advance a badge."""
        self.state.seen.add(event.id)
        if self.state.remembers(event.id):
            about = tuple(plan.campaign.id for plan in members_of(self.plan.campaigns, event))
            self._remember(Accepted(event.id, event.type, event.at, "", self._shared_ids(about), ()))
        else:
            self.state.next_seq()
        return ""

    def _remember_accepted(
        self, event: Event, fan: str, members: list[CampaignPlan], entries: list[Entry]
    ) -> None:
        ids = self._shared_ids(tuple(p.campaign.id for p in members))
        profile = event.attrs.get("profile") if event.type == "profile_linked" else None
        kept = tuple(e for e in entries if _reversible(e))  # a retract gives back only these
        self._remember(Accepted(event.id, event.type, event.at, fan, ids, kept, profile=profile))

    def _shared_ids(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        return self._member_ids.setdefault(ids, ids)

    def _remember(self, record: Accepted) -> None:
        record.seq = self.state.next_seq()
        self.state.accepted[record.id] = record
        self.state.dirty.accepted.append(record)

    def _polarity(self, event: Event) -> float:
        if event.sentiment is not None:
            return event.sentiment
        if self.scorer is None or not event.text:
            return 0.0
        return self.scorer(event.text)

    def _apply_rule(
        self,
        plan: CampaignPlan,
        rule: Rule,
        source: str,
        event: Event,
        fan: str,
        local: datetime,
        polarity: float,
    ) -> Entry | None:
        if rule.during is not None and not in_window(rule.during, local):
            return None
        if rule.conditions and not all_hold(rule.conditions, event, polarity):
            return None
        base = rule.points if isinstance(rule.points, int) else self._per_attr(rule, event)
        if base is None:
            return None
        campaign = plan.campaign
        points = self._boosted(campaign, base, event, local, polarity) if campaign.boosts else base
        if isinstance(points, Decimal):  # a per-attribute rule with no boost at all
            points = math.floor(points)
        points, note, cap_key = self._cap(campaign, rule, fan, local, points)
        return self._post(
            plan, Entry(0, event.id, fan, campaign.id, source, points, event.at, note, cap_key), local
        )

    @staticmethod
    def _per_attr(rule: Rule, event: Event) -> Decimal | None:
        spec = rule.points
        value = to_decimal(event.attrs.get(spec.attr))  # type: ignore[union-attr]
        return None if value is None else value * spec.rate  # type: ignore[union-attr]

    def _boosted(
        self, campaign: Campaign, base: int | Decimal, event: Event, local: datetime, polarity: float
    ) -> int:
        factor: int | Decimal = 1  # stays the int 1 (no Decimal arithmetic) when no boost applies
        for boost in campaign.boosts:
            if boost.starts is not None and event.at < boost.starts:
                continue
            if boost.ends is not None and event.at > boost.ends:
                continue
            if boost.during is not None and not in_window(boost.during, local):
                continue
            if boost.conditions and not all_hold(boost.conditions, event, polarity):
                continue
            factor *= boost.factor
        if isinstance(base, int) and factor == 1:
            return base
        return math.floor(Decimal(base) * factor)

    def _cap(
        self, campaign: Campaign, rule: Rule, fan: str, local: datetime, points: int
    ) -> tuple[int, str, str | None]:
        cap = rule.cap
        if cap is None:
            return points, "", None
        key = f"{campaign.id}/{rule.id}/{fan}/{period_key(cap.per, local)}"
        used = self.state.caps.get(key) or [0, 0]
        if cap.count is not None and used[0] >= cap.count:
            return 0, "capped", None
        note = ""
        if cap.points is not None:
            left = cap.points - used[1]
            if left <= 0:
                return 0, "capped", None
            if points > left:
                points, note = left, f"cut to {left} by cap"
        self.state.caps[key] = [used[0] + 1, used[1] + points]
        if self.state.tracking:
            self.state.dirty.caps.add(key)
        return points, note, key

    def _post(self, plan: CampaignPlan, entry: Entry, local: datetime) -> Entry:
        state = self.state
        state.seq += 1  # state.next_seq(), inline: once per award
        entry.seq = state.seq
        if state.keep_ledger:
            state.ledger.append(entry)
        fan = state.fans.get(entry.fan) or state.fan(entry.fan)
        if entry.points:
            campaign_id = plan.campaign.id
            fan.points += entry.points
            fan.campaigns[campaign_id] = fan.campaigns.get(campaign_id, 0) + entry.points
            if state.tracking:
                state.dirty.fans.add(entry.fan)
                state.dirty.fan_campaigns.add((entry.fan, campaign_id))
            post_to_boards(state, plan.boards, entry, local)
            self._update_level(fan, entry)
        return entry

    def _update_level(self, fan: FanState, entry: Entry) -> None:
        name = self.plan.levels.name_for(fan.points)
        if name != fan.level:
            fan.level, fan.level_at = name, entry.at

    # -- grants (an extension: points the programme gives, no rule involved) ----------

    def _grant(self, event: Event) -> str:
        """Post `attrs.points` to the fan, in `attrs.campaign` when named (its boards too)."""
        fan, attrs = event.fan or "", event.attrs
        campaign_id = attrs.get("campaign")
        campaign = self.campaigns.campaign(campaign_id) if campaign_id else None
        if campaign_id and campaign is None:
            raise RejectedEvent(f"grant names unknown campaign {campaign_id!r}")
        self.state.seen.add(event.id)
        self.state.fan(fan)
        source = f"grant:{slug(str(attrs['reason']))}"
        entry = Entry(0, event.id, fan, campaign_id or "", source, int(attrs["points"]), event.at)
        plan = self.plan.by_id.get(campaign.id) if campaign is not None else None
        if plan is not None:
            self.state.join_campaign(fan, plan.campaign.id)
            self._post(plan, entry, event.at.astimezone(plan.campaign.tz))
        else:
            self._post_outside(entry)
        members = (plan.campaign.id,) if plan is not None else ()
        if self.state.remembers(event.id):
            self._remember(Accepted(event.id, event.type, event.at, fan, members, (entry,)))
        else:
            self.state.next_seq()
        return fan

    def _post_outside(self, entry: Entry) -> None:
        """An entry that belongs to no campaign in force: it counts for the fan's totals only."""
        entry.seq = self.state.next_seq()
        if self.state.keep_ledger:
            self.state.ledger.append(entry)
        if entry.points:
            fan = self.state.fan(entry.fan)
            fan.points += entry.points
            self.state.dirty.fans.add(entry.fan)
            self._update_level(fan, entry)

    # -- badges ----------------------------------------------------------------------

    def _advance_badges(self, plan: CampaignPlan, event: Event, fan: str, local: datetime) -> None:
        state, campaign_id = self.state, plan.campaign.id
        earned = state.grants.get((fan, campaign_id))
        every = state.progress
        for badge, kind in plan.badges.get(event.type, ()):
            if earned is not None and badge.id in earned:
                continue
            key = (fan, campaign_id, badge.id)
            progress = every.get(key)
            if progress is None:
                progress = every[key] = {}
            if state.tracking:
                state.dirty.progress.add(key)
            if kind.add(badge, progress, event.at, local):
                state.grant(fan, campaign_id, Grant(badge.id, event.at, event.id, None, state.next_seq()))
                earned = state.grants.get((fan, campaign_id))

    # -- challenges ------------------------------------------------------------------

    def _check_challenge_known(self, event: Event) -> None:
        wanted = event.attrs.get("challenge")
        if not any(ch.id == wanted for c in self.campaigns.campaigns for ch in c.challenges):
            raise RejectedEvent(f"unknown challenge {wanted!r}")

    def _answer(self, plan: CampaignPlan, event: Event, fan: str) -> list[Entry]:
        campaign = plan.campaign
        challenge = next((ch for ch in campaign.challenges if ch.id == event.attrs.get("challenge")), None)
        if challenge is None:
            return []
        solvers = self.state.solvers.setdefault((campaign.id, challenge.id), {})
        note = _refusal(challenge, event, fan, solvers)
        points = 0 if note else challenge.points
        if not note:
            solvers[fan] = event.id
            self.state.dirty.solvers.append((campaign.id, challenge.id, fan, event.id, event.at))
        entry = Entry(0, event.id, fan, campaign.id, f"challenge:{challenge.id}", points, event.at, note)
        return [self._post(plan, entry, event.at.astimezone(campaign.tz))]

    def _answer_outside(
        self, event: Event, fan: str, members: list[CampaignPlan], entries: list[Entry]
    ) -> None:
        """An answer to a challenge of a campaign that is not running: recorded, no points."""
        if event.type != "quiz_answer" or any(e.source.startswith("challenge:") for e in entries):
            return
        for plan in self.plan.campaigns:
            campaign = plan.campaign
            if plan in members or not any(
                ch.id == event.attrs.get("challenge") for ch in campaign.challenges
            ):
                continue
            note = (
                "campaign not running"
                if not in_campaign_time(campaign, event)
                else "not part of the campaign"
            )
            source = f"challenge:{event.attrs.get('challenge')}"
            entry = Entry(0, event.id, fan, campaign.id, source, 0, event.at, note)
            entries.append(self._post(plan, entry, event.at.astimezone(campaign.tz)))
            return

    # -- retraction ------------------------------------------------------------------

    def _retract(self, event: Event) -> str:
        state, target_id = self.state, event.retracts or ""
        target = state.accepted.get(target_id)
        if target is None:
            raise RejectedEvent(f"retracts unknown event {target_id!r}")
        if target.type == "retract":
            raise RejectedEvent(f"{target_id!r} is itself a retract; a retract cannot be retracted")
        state.seen.add(event.id)
        record = Accepted(event.id, "retract", event.at, target.fan, (), ())
        if target.retracted_by is None:  # retracting twice changes nothing
            target.retracted_by = event.id
            state.dirty.retracted.append(target)
            for entry in target.entries:
                self._reverse(entry, event)
            self._unlink(target, event.at)
            if target.fan:  # a listened-only event (no fan) counted toward nothing
                self._unwind_badges(target)
                record.entries = tuple(self._apply_retract_rules(target, event))
        if state.remembers(event.id):
            self._remember(record)
        else:
            state.next_seq()
        return target.fan

    def _reverse(self, entry: Entry, event: Event) -> None:
        if not _reversible(entry):
            return
        plan = self.plan.by_id.get(entry.campaign)
        if entry.cap_key is not None:
            used = self.state.caps.get(entry.cap_key) or [0, 0]
            self.state.caps[entry.cap_key] = [max(0, used[0] - 1), used[1] - entry.points]
            self.state.dirty.caps.add(entry.cap_key)
        reversal = Entry(
            0,
            event.id,
            entry.fan,
            entry.campaign,
            entry.source,
            -entry.points,
            event.at,
            "retracted",
            None,
            entry.seq,
        )
        if plan is None:  # no campaign, or it left the file: keep totals right, no board
            self._post_outside(reversal)
            return
        self._post(plan, reversal, event.at.astimezone(plan.campaign.tz))

    def _unwind_badges(self, target: Accepted) -> None:
        if target.type == "grant":
            return  # a grant never counted toward a badge
        for campaign_id in target.campaigns:
            plan = self.plan.by_id.get(campaign_id)
            if plan is None:
                continue
            local = target.at.astimezone(plan.campaign.tz)
            for badge, kind in plan.badges.get(target.type, ()):
                if badge.id in self.state.grants_of(target.fan, campaign_id):
                    continue  # badges already earned are kept
                key = (target.fan, campaign_id, badge.id)
                if key in self.state.progress:
                    kind.remove(badge, self.state.progress[key], target.at, local)
                    self.state.dirty.progress.add(key)

    def _unlink(self, target: Accepted, at: datetime) -> None:
        """Retracting a `profile_linked` unlinks the profile from then on."""
        if target.type != "profile_linked" or not target.profile:
            return
        for link in self.state.links.get(target.profile, []):
            if link.event_id == target.id and link.until is None:
                link.until = at
                self.state.dirty.links.append((target.profile, link))

    def _apply_retract_rules(self, target: Accepted, event: Event) -> list[Entry]:
        """Rules `on: retract` (a penalty for undoing) fire in the undone event's campaigns."""
        entries: list[Entry] = []
        if target.type == "grant":
            return entries  # correcting a grant is no fan's undoing: no penalty
        for campaign_id in target.campaigns:
            plan = self.plan.by_id.get(campaign_id)
            if plan is None or not in_campaign_time(plan.campaign, event):
                continue
            local = event.at.astimezone(plan.campaign.tz)
            for rule, source in plan.rules.get("retract", ()):
                entry = self._apply_rule(plan, rule, source, event, target.fan, local, 0.0)
                if entry is not None:
                    entries.append(entry)
        return entries


def slug(text: str) -> str:
    """A reason as a ledger source name: lower-case words joined by '-', at most 60 characters."""
    words = re.findall(r"[a-z0-9]+", text.casefold())
    return "-".join(words)[:60].strip("-") or "grant"


def _reversible(entry: Entry) -> bool:
    """Whether a retract gives something back: points, or a use of a cap (a refusal gives nothing)."""
    return entry.points != 0 or entry.cap_key is not None


def _refusal(challenge: Challenge, event: Event, fan: str, solvers: dict[str, str]) -> str:
    """Why an answer scores nothing, or "" when it scores."""
    if challenge.opens is not None and event.at < challenge.opens:
        return "challenge not open yet"
    if challenge.closes is not None and event.at > challenge.closes:
        return "challenge closed"
    if normalize_answer(str(event.attrs.get("answer", ""))) not in challenge.answers:
        return "wrong answer"
    if fan in solvers:
        return "already answered correctly"
    if challenge.winners is not None and len(solvers) >= challenge.winners:
        return f"all {challenge.winners} winners already found"
    return ""
