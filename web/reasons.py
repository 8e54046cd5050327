"""Why a ledger entry exists, in plain words: "Quote of @acmecoffee's post: 15 points"."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from engine.rules.model import Campaign, Cap

_WITH_AUTHOR = {
    "quote": _l("Quote of %(author)s's post"),
    "reply": _l("Reply to %(author)s's post"),
    "comment": _l("Comment on %(author)s's post"),
    "retweet": _l("Repost of %(author)s's post"),
    "share": _l("Share of %(author)s's post"),
    "like": _l("Like of %(author)s's post"),
}
_PLAIN = {
    "quote": _l("Quote of a post"),
    "reply": _l("Reply to a post"),
    "comment": _l("Comment on a post"),
    "retweet": _l("Repost of a post"),
    "share": _l("Share of a post"),
    "like": _l("Like of a post"),
    "mention": _l("Mention"),
    "checkin": _l("Check-in"),
    "purchase": _l("Purchase"),
    "retract": _l("Undoing an earlier action"),
    "profile_linked": _l("Linked a profile"),
}
_NOTES = {
    "wrong answer": _l("wrong answer, no points"),
    "challenge closed": _l("the challenge had closed, no points"),
    "challenge not open yet": _l("the challenge was not open yet, no points"),
    "already answered correctly": _l("already answered correctly, no points"),
    "campaign not running": _l("the campaign was not running, no points"),
    "not part of the campaign": _l("not part of the campaign, no points"),
}
_WINNERS = re.compile(r"all (\d+) winners already found")
_PER = {
    "hour": (_l("%(count)s an hour"), _l("%(points)s points an hour")),
    "day": (_l("%(count)s a day"), _l("%(points)s points a day")),
    "week": (_l("%(count)s a week"), _l("%(points)s points a week")),
    "month": (_l("%(count)s a month"), _l("%(points)s points a month")),
    "campaign": (_l("%(count)s per campaign"), _l("%(points)s points per campaign")),
}


def reason(entry: dict[str, Any], event: dict[str, Any] | None, campaign: Campaign | None) -> str:
    """One ledger entry (storage.report.fan_ledger's shape) as a sentence."""
    what = action(entry, event or {}, campaign)
    points, note = entry["points"], entry.get("note", "")
    amount = ngettext("%(num)s point", "%(num)s points", abs(points))
    if note == "retracted":
        return _("%(what)s: retracted, %(points)s", what=what, points=f"−{amount}")
    if note == "capped":
        return _("%(what)s: capped: %(limit)s", what=what, limit=limit(_rule_cap(entry, campaign)))
    if note.startswith("cut to"):
        return _(
            "%(what)s: %(points)s (cut by the limit of %(limit)s)",
            what=what,
            points=amount,
            limit=limit(_rule_cap(entry, campaign)),
        )
    winners = _WINNERS.fullmatch(note)
    if winners:
        return _("%(what)s: all %(count)s winners were already found, no points", what=what, count=winners[1])
    if note:
        return _("%(what)s: %(note)s", what=what, note=str(_NOTES.get(note, note)))
    return _("%(what)s: %(points)s", what=what, points=amount)


def action(entry: dict[str, Any], event: dict[str, Any], campaign: Campaign | None) -> str:
    """What the fan did, e.g. "Quote of @acmecoffee's post" or "Answer to “…”"."""
    if "challenge" in entry:
        challenge = next(
            (c for c in (campaign.challenges if campaign else ()) if c.id == entry["challenge"]), None
        )
        return _("Answer to “%(question)s”", question=challenge.question if challenge else entry["challenge"])
    kind = event.get("type", "")
    author = (event.get("post") or {}).get("author")
    if kind in _WITH_AUTHOR and author:
        return str(_WITH_AUTHOR[kind]) % {"author": f"@{author}"}
    if kind == "mention" and event.get("mentions"):
        return _("Mention of %(names)s", names=", ".join(f"@{m.lstrip('@')}" for m in event["mentions"]))
    if kind == "profile_linked" and event.get("attrs", {}).get("profile"):
        platform = str(event["attrs"]["profile"]).partition(":")[0]
        return _("Linked your %(platform)s profile", platform=platform.capitalize())
    if kind == "purchase" and event.get("attrs", {}).get("amount") is not None:
        return _("Purchase of %(amount)s", amount=event["attrs"]["amount"])
    return str(_PLAIN.get(kind, entry.get("rule", kind)))


def _rule_cap(entry: dict[str, Any], campaign: Campaign | None) -> Cap | None:
    rule = next((r for r in (campaign.rules if campaign else ()) if r.id == entry.get("rule")), None)
    return rule.cap if rule else None


def limit(cap: Cap | None) -> str:
    """A rule's `max` in words: "5 a day", "400 points a week"."""
    if cap is None:
        return _("the rule's limit")
    count_text, points_text = _PER.get(cap.per, _PER["campaign"])
    if cap.count is not None:
        return str(count_text) % {"count": cap.count}
    return str(points_text) % {"points": cap.points}
