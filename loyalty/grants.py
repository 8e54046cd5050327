"""Points the programme gives itself: bulk grants (a CSV or a segment) and birthday or
anniversary points. Both become `grant` events (docs/loyalty.md) ingested through the
engine, so every point is in the ledger with its reason.

A bulk grant is checked whole first, every bad row reported with its line number, and
then applied in one transaction or not at all; its event ids come from a digest of
the list, so applying the same list twice grants nothing the second time. Birthday
points have the id `grant:birthday:<fan>:<year>`: once per fan per year by construction,
however often, or late, the job runs.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.events import Event
from engine.rules.model import CampaignSet
from pipeline import ingest_in
from storage.models.accounts import User
from storage.models.core import Fan, FanCampaign
from storage.models.loyalty import FanProfile, GrantBatch
from storage.state_store import aware

HEADER = ("fan", "points", "reason")
MAX_POINTS = 1_000_000


class GrantError(ValueError):
    """A grant that cannot be applied; `problems` lists every reason, by line where there is one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class GrantRow:
    """One fan's grant and the line it came from."""

    line: int
    fan: str
    points: int
    reason: str
    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    """A bulk grant that landed."""

    batch: str
    rows: int
    points: int


def parse_csv(text: str) -> list[GrantRow]:
    """Rows of `fan,points,reason[,campaign]` with a header line; `GrantError` lists every bad row."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header[:3]) != HEADER or header[3:] not in ([], ["campaign"]):
        raise GrantError(["line 1: the header must be fan,points,reason (and optionally campaign)"])
    rows, problems = [], []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        try:
            rows.append(_row(number, cells, len(header)))
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
    if problems:
        raise GrantError(problems)
    if not rows:
        raise GrantError(["the list has no rows"])
    return rows


def _row(number: int, cells: list[str], width: int) -> GrantRow:
    if len(cells) != width:
        raise ValueError(f"expected {width} values, got {len(cells)}")
    fan, points, reason = (c.strip() for c in cells[:3])
    campaign = cells[3].strip() if width == 4 and cells[3].strip() else None
    return make_row(number, fan, points, reason, campaign)


def make_row(number: int, fan: str, points: str | int, reason: str, campaign: str | None) -> GrantRow:
    """One checked row; `ValueError` says what is wrong."""
    if not fan:
        raise ValueError("no fan")
    try:
        value = int(points)
    except ValueError:
        raise ValueError(f"points must be a whole number, got {points!r}") from None
    if value == 0 or abs(value) > MAX_POINTS:
        raise ValueError(f"points must be non-zero and at most {MAX_POINTS} either way")
    if not reason or len(reason) > 200:
        raise ValueError("a reason of 1 to 200 characters is needed")
    return GrantRow(number, fan, value, reason, campaign)


def check(session: Session, campaigns: CampaignSet, rows: list[GrantRow]) -> None:
    """Every row names a fan account and a known campaign; else `GrantError` lists them all."""
    known_fans = set()
    fans = {r.fan for r in rows}
    for start in range(0, len(fans), 500):
        part = sorted(fans)[start : start + 500]
        known_fans |= set(session.scalars(select(Fan.id).where(Fan.id.in_(part), Fan.kind == "account")))
    ids = {c.id for c in campaigns.campaigns}
    problems = [f"line {r.line}: no fan account {r.fan!r}" for r in rows if r.fan not in known_fans]
    problems += [
        f"line {r.line}: unknown campaign {r.campaign!r}"
        for r in rows
        if r.campaign and r.campaign not in ids
    ]
    if problems:
        raise GrantError(sorted(problems, key=lambda p: int(p.split(":")[0].split()[1])))


def batch_id(rows: list[GrantRow]) -> str:
    """A digest of the list: the same list twice is the same batch."""
    text = json.dumps([[r.fan, r.points, r.reason, r.campaign] for r in rows])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def grant_event(event_id: str, row: GrantRow, at: datetime) -> Event:
    """The `grant` event of one row."""
    attrs: dict[str, object] = {"points": row.points, "reason": row.reason}
    if row.campaign:
        attrs["campaign"] = row.campaign
    return Event(event_id, "web", "grant", at, fan=row.fan, attrs=attrs)


def apply_bulk(
    session: Session, campaigns: CampaignSet, rows: list[GrantRow], source: str, by: str, now: datetime
) -> Applied:
    """Check, then grant every row in the caller's transaction; any failure raises (all or nothing)."""
    check(session, campaigns, rows)
    batch = batch_id(rows)
    before = session.get(GrantBatch, batch)
    if before is not None:
        raise GrantError([f"this list was granted before, on {aware(before.created_at):%Y-%m-%d %H:%M} UTC"])
    events = [grant_event(f"grant:bulk:{batch}:{r.line}", r, now) for r in rows]
    applied = ingest_in(session, campaigns, events, [], source=f"grant:{source}", now=now)
    refused = [
        f"{o_id}: {o.error or o.status}" for o_id, o in applied.outcomes.items() if o.status != "accepted"
    ]
    if refused:
        raise GrantError(refused)
    total = sum(r.points for r in rows)
    session.add(
        GrantBatch(id=batch, source=source[:300], created_by=by, rows=len(rows), points=total, created_at=now)
    )
    return Applied(batch, len(rows), total)


def segment(session: Session, spec: str) -> list[str]:
    """Fan accounts in a segment: `all`, `level:<name>`, `campaign:<id>` or `min-points:<n>`."""
    kind, _, value = spec.partition(":")
    query = select(Fan.id).where(Fan.kind == "account")
    if kind == "level" and value:
        query = query.where(Fan.level == value)
    elif kind == "campaign" and value:
        query = query.join(FanCampaign, FanCampaign.fan_id == Fan.id).where(FanCampaign.campaign_id == value)
    elif kind == "min-points" and value.isdigit():
        query = query.where(Fan.lifetime_points >= int(value))
    elif spec != "all":
        raise GrantError([f"unknown segment {spec!r}: all, level:NAME, campaign:ID or min-points:N"])
    return sorted(session.scalars(query))


# -- birthdays and anniversaries -----------------------------------------------------------


def set_birthday(session: Session, fan: str, month: int | None, day: int | None, now: datetime) -> None:
    """Opt in with a month and day (leap day allowed), or out with None."""
    if (month is None) != (day is None):
        raise GrantError(["give both month and day, or neither"])
    if month is not None and day is not None:
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
            raise GrantError(["that is not a day of the year"])
    profile = session.get(FanProfile, fan) or FanProfile(fan_id=fan)
    profile.birthday_month, profile.birthday_day, profile.updated_at = month, day, now
    session.add(profile)


def _on(year: int, month: int, day: int) -> date:
    """The date a yearly day falls on; 29 February is kept on 28 February in common years."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _window(today: date, catch_up: int) -> Iterable[date]:
    return (today - timedelta(days=n) for n in range(catch_up + 1))


def yearly_events(
    session: Session, today: date, now: datetime, *, birthday: int, anniversary: int, catch_up: int = 7
) -> list[Event]:
    """Grants for birthdays and account anniversaries from `today - catch_up` to `today`.

    Catching up means a job that did not run for a few days still grants, once.
    """
    days = set(_window(today, catch_up))
    events = []
    if birthday:
        for fan, month, day in session.execute(
            select(FanProfile.fan_id, FanProfile.birthday_month, FanProfile.birthday_day).where(
                FanProfile.birthday_month.is_not(None)
            )
        ):
            when = _on(today.year, month, day)
            if when in days:
                row = GrantRow(0, fan, birthday, "birthday")
                events.append(grant_event(f"grant:birthday:{fan}:{when.year}", row, now))
    if anniversary:
        for fan, created in session.execute(
            select(User.fan_id, User.created_at).where(User.fan_id.is_not(None))
        ):
            joined = aware(created).date()  # type: ignore[union-attr]
            when = _on(today.year, joined.month, joined.day)
            if when in days and when.year > joined.year:
                row = GrantRow(0, fan, anniversary, "anniversary")
                events.append(grant_event(f"grant:anniversary:{fan}:{when.year}", row, now))
    return events


def grant_yearly(
    session: Session, campaigns: CampaignSet, today: date, now: datetime, *, birthday: int, anniversary: int
) -> int:
    """Ingest today's yearly grants (duplicates of earlier runs are no-ops); how many were new."""
    events = yearly_events(session, today, now, birthday=birthday, anniversary=anniversary)
    if not events:
        return 0
    applied = ingest_in(session, campaigns, events, [], source="grant:yearly", now=now)
    return sum(1 for o in applied.outcomes.values() if o.status == "accepted")
