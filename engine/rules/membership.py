"""Which campaigns an event belongs to: its time window and its content."""

from __future__ import annotations

from engine.events import FAN_TYPES, Event
from engine.rules.model import Campaign, Content

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


def content_matches(content: Content, event: Event) -> bool:
    """Any one of hashtags, mentions, links or posts matches."""
    if content.hashtags and any(h.lstrip("#").casefold() in content.hashtags for h in event.hashtags):
        return True
    if content.mentions and any(n.lstrip("@").casefold() in content.mentions for n in event.mentions):
        return True
    if content.links and any(part in link for link in event.links for part in content.links):
        return True
    if content.posts and event.post is not None and event.type in POST_MATCH_TYPES:
        return (event.platform, event.post.id) in content.posts
    return False
