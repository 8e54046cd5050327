"""The bulk path of an aggregate update: many stored events summed at a fraction of the cost
of folding them one by one, with exactly `monitoring.contributions.add_event`'s sums.

A million events pass here after a bulk import, so per event it does only what is
needed, once:

- listening figures are counted per (campaigns of the event, day) and spread over the
  campaigns (and the all-campaigns row "") when the sums are handed over: an event about
  one campaign counts into two rows, and that spreading is done once per day instead of
  once per event;
- a day's terms (authors, hashtags, topics), an author's daily features and a fan's
  interests are counted in dicts keyed by the plain string (no key tuple per term and
  campaign);
- an event's campaigns are decoded once per distinct stored value (a handful), its
  hashtags once per distinct list;
- events about no campaign, and retracted ones, are skipped before their payload is
  decoded.

`Fold.add_rows` takes driver rows as `monitoring.aggregate.COLUMNS` reads them;
`Fold.into` adds the sums to a `Delta`, in `add_event`'s shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, tzinfo
from functools import lru_cache
from typing import Any

from monitoring.contributions import (
    ACTED_TYPES,
    REACH_TYPES,
    SHARE_TYPES,
    TEXT_TYPES,
    Delta,
    author_key,
    decoded,
    engagement_of,
    remember_author,
    utc,
)
from monitoring.terms import hashtags, topics

Counts = dict[str, int]


@lru_cache(maxsize=4096)
def _scopes(campaigns: str) -> tuple[str, ...]:
    """Stored campaigns (JSON text) -> the listening rows an event counts into ("" = all)."""
    found = decoded(campaigns)
    return ("", *found) if found else ()


@lru_cache(maxsize=4096)
def _tags(tags: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(hashtags(tags))


def _bump(counts: Counts, key: str, by: int = 1) -> None:
    counts[key] = counts.get(key, 0) + by


class Fold:
    """Sums of counted events (not retracted, about at least one campaign), added in `seq` order."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        # (scopes, day) -> (labels, authors, hashtags, topics): counts of the day's posts
        self.listening: dict[tuple[tuple[str, ...], date], tuple[Counts, Counts, Counts, Counts]] = {}
        self.author_days: dict[tuple[str, date], Counts] = {}  # -> feature -> sum
        self.edges: dict[tuple[str, str], int] = {}
        self.interests: dict[str, tuple[Counts, Counts]] = {}  # fan -> (hashtags, topics)
        self.authors: dict[str, dict[str, Any]] = {}

    def add_rows(self, rows: Iterable[Sequence[Any]]) -> list[Any]:
        """Add the counted events among `rows`; the `retracts` ids of the retractions among them."""
        undone = []
        for _, kind, at, fan_id, profile_key, label, campaigns, retracted_by, payload in rows:
            if kind == "retract":
                undone.append((decoded(payload).get("attrs") or {}).get("retracts"))
            elif retracted_by is None and campaigns and campaigns != "[]":
                scopes = _scopes(campaigns) if isinstance(campaigns, str) else ("", *campaigns)
                if scopes:
                    self._add(kind, at, fan_id, profile_key, label, scopes, decoded(payload) or {})
        return undone

    def _add(
        self,
        kind: str,
        at: Any,
        fan_id: str | None,
        profile_key: str | None,
        label: str | None,
        scopes: tuple[str, ...],
        payload: dict[str, Any],
    ) -> None:
        actor = payload.get("actor") or {}
        if not actor:  # no author: the event adds nothing
            return
        platform = payload.get("platform", "")
        when = utc(at)
        day = when.astimezone(self.tz).date()
        author = author_key(platform, actor.get("handle"), actor.get("id"))
        if kind in TEXT_TYPES:
            self._text(payload, scopes, day, author, label or "neutral", fan_id or profile_key)
            remember_author(self.authors, author, actor, profile_key, when)
        if kind in ACTED_TYPES:
            target = (payload.get("post") or {}).get("author")
            if target:
                self._shared(kind, author_key(platform, target, None), author, actor, day)

    def _text(
        self, payload: dict[str, Any], scopes: tuple[str, ...], day: date, author: str, label: str, fan: Any
    ) -> None:
        tags = _tags(tuple(payload.get("hashtags") or ()))
        subjects = topics(payload.get("text"))
        listening = self.listening.get((scopes, day))
        if listening is None:
            listening = self.listening[(scopes, day)] = ({}, {}, {}, {})
        labels, authors, day_tags, day_topics = listening
        labels[label] = labels.get(label, 0) + 1
        authors[author] = authors.get(author, 0) + 1
        for tag in tags:  # a million events pass here: no helper call per term
            day_tags[tag] = day_tags.get(tag, 0) + 1
        for topic in subjects:
            day_topics[topic] = day_topics.get(topic, 0) + 1
        features = self._author_day(author, day)
        _bump(features, "posts")
        if label != "neutral":
            _bump(features, label)
        engagement = engagement_of((payload.get("attrs") or {}).get("public_metrics"))
        if engagement:
            _bump(features, "engagement", engagement)
        if fan:
            interests = self.interests.get(fan)
            if interests is None:
                interests = self.interests[fan] = ({}, {})
            fan_tags, fan_topics = interests
            for tag in tags:
                fan_tags[tag] = fan_tags.get(tag, 0) + 1
            for topic in subjects:
                fan_topics[topic] = fan_topics.get(topic, 0) + 1

    def _shared(self, kind: str, target: str, author: str, actor: dict[str, Any], day: date) -> None:
        if target == author:
            return
        features = self._author_day(target, day)
        _bump(features, "engagement")
        if kind in SHARE_TYPES:
            self.edges[(author, target)] = self.edges.get((author, target), 0) + 1
        if kind in REACH_TYPES:
            _bump(features, "shares")
            _bump(features, "reach", int(actor.get("followers") or 0))

    def _author_day(self, author: str, day: date) -> Counts:
        features = self.author_days.get((author, day))
        if features is None:
            features = self.author_days[(author, day)] = {}
        return features

    def into(self, delta: Delta) -> None:
        """Add these sums to `delta`, keyed as `add_event` keys them."""
        days: dict[tuple[str, date, str], int] = {}
        terms: dict[tuple[str, date, str, str], int] = {}
        for (scopes, day), (labels, authors, tags, subjects) in self.listening.items():
            for campaign in scopes:
                for label, count in labels.items():
                    key = (campaign, day, "mentions")
                    days[key] = days.get(key, 0) + count
                    key = (campaign, day, label)
                    days[key] = days.get(key, 0) + count
                for kind, counts in (("author", authors), ("hashtag", tags), ("topic", subjects)):
                    for term, count in counts.items():
                        key4 = (campaign, day, kind, term)
                        terms[key4] = terms.get(key4, 0) + count
        author_days = {
            (author, day, name): value
            for (author, day), features in self.author_days.items()
            for name, value in features.items()
        }
        interests = {
            (fan, kind, term): count
            for fan, (tags, subjects) in self.interests.items()
            for kind, counts in (("hashtag", tags), ("topic", subjects))
            for term, count in counts.items()
        }
        # Counter.update adds; into an empty Counter (the usual case) at dict.update's speed
        delta.days.update(days)
        delta.terms.update(terms)
        delta.author_days.update(author_days)
        delta.edges.update(self.edges)
        delta.interests.update(interests)
        for author, known in self.authors.items():
            remember_author(delta.authors, author, known, known["profile_key"], known["last_at"])
