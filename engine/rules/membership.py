"""Which campaigns an event belongs to: its time window and its content."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.events import FAN_TYPES, Event
from engine.rules.model import Campaign, Content

if TYPE_CHECKING:
    from engine.plan import CampaignPlan

POST_MATCH_TYPES = frozenset({"share", "retweet", "quote", "reply", "comment"})


def in_campaign_time(campaign: Campaign, event: Event) -> bool:
    """Whether the event's time lies in `[starts, ends]`."""
    if campaign.starts is not None and event.at < campaign.starts:
        return False
    return campaign.ends is None or event.at <= campaign.ends


def belongs(campaign: Campaign, event: Event) -> bool:
    """Membership as the spec defines it; `retract`s follow the event they undo instead."""
    if event.type == "retract" or not in_campaign_time(campaign, event):
        return False
    if event.type in FAN_TYPES or campaign.content is None:
        return True
    return content_matches(campaign.content, event)


def members_of(plans: Sequence[CampaignPlan], event: Event) -> list[CampaignPlan]:
    """The campaigns (plans) the event `belongs` to, folding its hashtags and mentions once."""
    if event.type == "retract":
        return []
    folded: Folded | None = None
    out = []
    at, fan_type = event.at, event.type in FAN_TYPES
    for plan in plans:
        if (plan.starts is not None and at < plan.starts) or (plan.ends is not None and at > plan.ends):
            continue  # `in_campaign_time`, against the bounds in UTC
        campaign = plan.campaign
        if fan_type or campaign.content is None:
            out.append(plan)
            continue
        if folded is None:
            folded = _folded(event)
        if content_matches(campaign.content, event, folded):
            out.append(plan)
    return out


class Folded:
    """An event's hashtags and mentions as campaigns list them: no `#`/`@`, casefolded."""

    __slots__ = ("hashtags", "mentions")

    def __init__(self, event: Event) -> None:
        self.hashtags = {h.lstrip("#").casefold() for h in event.hashtags}
        self.mentions = {n.lstrip("@").casefold() for n in event.mentions}


# Events repeat a few hashtag and mention combinations over and over: each is folded once.
_FOLDED: dict[tuple[tuple[str, ...], tuple[str, ...]], Folded] = {}


def _folded(event: Event) -> Folded:
    key = (event.hashtags, event.mentions)
    folded = _FOLDED.get(key)
    if folded is None:
        if len(_FOLDED) >= 10_000:  # bounded however varied the input
            _FOLDED.clear()
        folded = _FOLDED[key] = Folded(event)
    return folded


def content_matches(content: Content, event: Event, folded: Folded | None = None) -> bool:
    """Any one of hashtags, mentions, links or posts matches."""
    folded = folded or Folded(event)
    if content.hashtags and not content.hashtags.isdisjoint(folded.hashtags):
        return True
    if content.mentions and not content.mentions.isdisjoint(folded.mentions):
        return True
    if content.links and any(part in link for link in event.links for part in content.links):
        return True
    if content.posts and event.post is not None and event.type in POST_MATCH_TYPES:
        return (event.platform, event.post.id) in content.posts
    return False
