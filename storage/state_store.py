"""The database store of engine state: load the slice a batch touches, write back its changes.

The engine never queries the database itself. Before a batch, `load_state` reads every
row the batch's events can touch (their ids, the profiles and fans involved, the
events they retract) into an `EngineState`; after it, `flush_state` writes what the
engine marked dirty. Both run inside the caller's transaction, so a batch lands
whole or not at all, and replaying it adds nothing (unique event ids, unique
ledger keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.events import Event
from engine.state import Accepted, EngineState, Entry, FanState, Grant, Link, Score
from monitoring.labels import label_for
from storage.models.core import (
    BadgeGrant,
    BadgeProgress,
    BoardScore,
    CapCounter,
    ChallengeSolver,
    ClosedPeriod,
    Fan,
    FanCampaign,
    LedgerEntry,
    LinkedProfile,
    StoredEvent,
)

CHUNK = 500  # bound parameters per IN (...) query, well under SQLite's limit


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    """Split a collection into lists of at most `size`."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# -- loading -----------------------------------------------------------------------------


def load_state(session: Session, events: Sequence[Event]) -> EngineState:
    """An `EngineState` holding every row these events can read or change."""
    state = EngineState()
    state.seq = _max_seq(session)
    ids = {e.id for e in events}
    targets = {e.retracts for e in events if e.retracts}
    state.seen = _existing_ids(session, ids | targets)
    profiles = {e.profile_key for e in events if e.profile_key}
    profiles |= {str(e.attrs["profile"]) for e in events if e.type == "profile_linked"}
    _load_accepted(session, state, targets & state.seen)
    profiles |= {a.profile for a in state.accepted.values() if a.profile}  # a retracted link unlinks
    _load_links(session, state, profiles)
    fans = {e.fan for e in events if e.fan} | profiles
    fans |= {link.fan for links in state.links.values() for link in links}
    fans |= {a.fan for a in state.accepted.values()}
    _load_fans(session, state, fans)
    _load_solvers(session, state)
    return state


def _max_seq(session: Session) -> int:
    ledger = session.scalar(select(func.max(LedgerEntry.seq))) or 0
    grants = session.scalar(select(func.max(BadgeGrant.seq))) or 0
    events = session.scalar(select(func.max(StoredEvent.seq))) or 0
    return max(ledger, grants, events)


def _existing_ids(session: Session, ids: set[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(ids):
        found.update(session.scalars(select(StoredEvent.id).where(StoredEvent.id.in_(part))))
    return found


def _load_links(session: Session, state: EngineState, profiles: set[str]) -> None:
    for part in chunks(profiles):
        rows = session.scalars(select(LinkedProfile).where(LinkedProfile.profile_key.in_(part)))
        for row in rows:
            link = Link(row.fan_id, aware(row.linked_at), row.link_event_id, aware(row.unlinked_at))  # type: ignore[arg-type]
            state.links.setdefault(row.profile_key, []).append(link)
    for links in state.links.values():
        links.sort(key=lambda link: link.at)


def _load_accepted(session: Session, state: EngineState, ids: set[str]) -> None:
    for part in chunks(ids):
        for row in session.scalars(select(StoredEvent).where(StoredEvent.id.in_(part))):
            profile = row.payload.get("attrs", {}).get("profile") if row.type == "profile_linked" else None
            state.accepted[row.id] = Accepted(
                row.id,
                row.type,
                aware(row.at),
                row.fan_id or "",  # type: ignore[arg-type]
                tuple(row.campaigns),
                [],
                row.retracted_by,
                profile,
            )
        query = select(LedgerEntry).where(LedgerEntry.event_id.in_(part)).order_by(LedgerEntry.seq)
        for row in session.scalars(query):
            if row.reverses is None and row.event_id in state.accepted:
                state.accepted[row.event_id].entries.append(_entry(row))


def _entry(row: LedgerEntry) -> Entry:
    return Entry(
        row.seq,
        row.event_id,
        row.fan_id,
        row.campaign_id,
        row.source,
        row.points,
        aware(row.at),
        row.note,
        row.cap_key,
        row.reverses,
    )  # type: ignore[arg-type]


def _load_fans(session: Session, state: EngineState, fans: set[str]) -> None:
    for part in chunks(fans):
        for fan in session.scalars(select(Fan).where(Fan.id.in_(part))):
            state.fans[fan.id] = FanState(
                fan.lifetime_points, fan.spent_points, fan.level, aware(fan.level_at)
            )
        for row in session.scalars(select(FanCampaign).where(FanCampaign.fan_id.in_(part))):
            state.fans[row.fan_id].campaigns[row.campaign_id] = row.points
        for cap in session.scalars(select(CapCounter).where(CapCounter.fan_id.in_(part))):
            state.caps[cap.key] = [cap.count, cap.points]
        for prog in session.scalars(select(BadgeProgress).where(BadgeProgress.fan_id.in_(part))):
            state.progress[(prog.fan_id, prog.campaign_id, prog.badge_id)] = dict(prog.state)
        for grant in session.scalars(select(BadgeGrant).where(BadgeGrant.fan_id.in_(part))):
            value = Grant(grant.badge_id, aware(grant.earned_at), grant.event_id, grant.period, grant.seq)  # type: ignore[arg-type]
            state.grants.setdefault((grant.fan_id, grant.campaign_id), {})[grant.badge_id] = value
        for score in session.scalars(select(BoardScore).where(BoardScore.fan_id.in_(part))):
            value = Score(score.points, aware(score.last_at), score.last_event)  # type: ignore[arg-type]
            state.scores.setdefault((score.board, score.period), {})[score.fan_id] = value


def _load_solvers(session: Session, state: EngineState) -> None:
    for row in session.scalars(select(ChallengeSolver)):
        state.solvers.setdefault((row.campaign_id, row.challenge_id), {})[row.fan_id] = row.event_id


def load_boards(session: Session, state: EngineState, boards: Iterable[str]) -> None:
    """Whole boards (every fan's score) plus the periods already judged, for closing periods."""
    for board in boards:
        for score in session.scalars(select(BoardScore).where(BoardScore.board == board)):
            value = Score(score.points, aware(score.last_at), score.last_event)  # type: ignore[arg-type]
            state.scores.setdefault((board, score.period), {})[score.fan_id] = value
        for row in session.scalars(select(ClosedPeriod).where(ClosedPeriod.board == board)):
            state.closed.add((row.board, row.period))
        for grant in session.scalars(
            select(BadgeGrant).where(BadgeGrant.campaign_id == board.partition("/")[0])
        ):
            value = Grant(grant.badge_id, aware(grant.earned_at), grant.event_id, grant.period, grant.seq)  # type: ignore[arg-type]
            state.grants.setdefault((grant.fan_id, grant.campaign_id), {})[grant.badge_id] = value


# -- writing -----------------------------------------------------------------------------


def upsert(
    session: Session,
    model: type,
    rows: list[dict[str, Any]],
    keys: Sequence[str],
    update_cols: Sequence[str] | None = None,
) -> None:
    """Insert rows, or update the given columns where the key exists (nothing when None)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model)
    if update_cols:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: getattr(stmt.excluded, c) for c in update_cols}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt, rows)


def flush_state(session: Session, state: EngineState, events: dict[str, Event], now: datetime) -> None:
    """Write everything the engine changed, in dependency order."""
    dirty = state.dirty
    _write_fans(session, state, events, now)
    upsert(
        session,
        FanCampaign,
        [
            {"fan_id": f, "campaign_id": c, "points": state.fans[f].campaigns[c]}
            for f, c in dirty.fan_campaigns
        ],
        ("fan_id", "campaign_id"),
        ("points",),
    )
    _write_links(session, dirty.links)
    _write_events(session, state, events, now)
    session.execute(
        LedgerEntry.__table__.insert(), [_ledger_row(e) for e in state.ledger]
    ) if state.ledger else None
    caps = [
        {"key": k, "fan_id": "/".join(k.split("/")[2:-1]), "count": v[0], "points": v[1]}
        for k in dirty.caps
        for v in [state.caps[k]]
    ]
    upsert(session, CapCounter, caps, ("key",), ("count", "points"))
    _write_progress(session, state)
    _write_grants(session, state)
    upsert(
        session,
        ChallengeSolver,
        [
            {"campaign_id": c, "challenge_id": ch, "fan_id": f, "event_id": e, "at": at}
            for c, ch, f, e, at in dirty.solvers
        ],
        ("campaign_id", "challenge_id", "fan_id"),
    )
    _write_scores(session, state)
    upsert(session, ClosedPeriod, [{"board": b, "period": p} for b, p in dirty.closed], ("board", "period"))


def _write_fans(session: Session, state: EngineState, events: dict[str, Event], now: datetime) -> None:
    """Upsert changed fans; a profile standing for a fan is named by its handle."""
    handles = {e.profile_key: f"@{e.actor.handle}" for e in events.values() if e.actor and e.actor.handle}
    profiles = {e.profile_key for e in events.values() if e.profile_key}
    rows = []
    for fan_id in state.dirty.fans:
        fan = state.fans[fan_id]
        kind = "profile" if fan_id in profiles else "account"
        rows.append(
            {
                "id": fan_id,
                "kind": kind,
                "display_name": handles.get(fan_id),
                "lifetime_points": fan.points,
                "spent_points": fan.spent,
                "level": fan.level,
                "level_at": fan.level_at,
                "created_at": now,
            }
        )
    upsert(session, Fan, rows, ("id",), ("lifetime_points", "spent_points", "level", "level_at"))


def _write_links(session: Session, links: list[tuple[str, Link]]) -> None:
    for profile, link in links:
        row = {
            "profile_key": profile,
            "fan_id": link.fan,
            "linked_at": link.at,
            "unlinked_at": link.until,
            "link_event_id": link.event_id,
        }
        upsert(session, LinkedProfile, [row], ("link_event_id",), ("unlinked_at",))


def _write_events(session: Session, state: EngineState, events: dict[str, Event], now: datetime) -> None:
    rows = []
    for record in state.dirty.accepted:
        event = events[record.id]
        rows.append(
            {
                "id": record.id,
                "seq": record.seq,
                "platform": event.platform,
                "type": event.type,
                "at": event.at,
                "fan_id": record.fan,
                "profile_key": event.profile_key,
                "sentiment": event.sentiment,
                "sentiment_label": None if event.sentiment is None else label_for(event.sentiment),
                "campaigns": list(record.campaigns),
                "retracted_by": record.retracted_by,
                "payload": event.to_dict(),
                "received_at": now,
            }
        )
    if rows:
        session.execute(StoredEvent.__table__.insert(), rows)
    for record in state.dirty.retracted:
        session.execute(
            update(StoredEvent).where(StoredEvent.id == record.id).values(retracted_by=record.retracted_by)
        )


def _ledger_row(entry: Entry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "key": entry.key,
        "event_id": entry.event_id,
        "fan_id": entry.fan,
        "campaign_id": entry.campaign,
        "source": entry.source,
        "points": entry.points,
        "at": entry.at,
        "note": entry.note,
        "cap_key": entry.cap_key,
        "reverses": entry.reverses,
    }


def _write_progress(session: Session, state: EngineState) -> None:
    keep = [k for k in state.dirty.progress if k in state.progress]
    gone = [k for k in state.dirty.progress if k not in state.progress]
    rows = [
        {"fan_id": f, "campaign_id": c, "badge_id": b, "state": state.progress[(f, c, b)]} for f, c, b in keep
    ]
    upsert(session, BadgeProgress, rows, ("fan_id", "campaign_id", "badge_id"), ("state",))
    for fan_id, campaign_id, badge_id in gone:
        session.execute(
            delete(BadgeProgress).where(
                BadgeProgress.fan_id == fan_id,
                BadgeProgress.campaign_id == campaign_id,
                BadgeProgress.badge_id == badge_id,
            )
        )


def _write_grants(session: Session, state: EngineState) -> None:
    rows = [
        {
            "fan_id": f,
            "campaign_id": c,
            "badge_id": g.badge,
            "earned_at": g.at,
            "event_id": g.event_id,
            "period": g.period,
            "seq": g.seq,
        }
        for f, c, g in state.dirty.grants
    ]
    upsert(session, BadgeGrant, rows, ("fan_id", "campaign_id", "badge_id"))


def _write_scores(session: Session, state: EngineState) -> None:
    rows = []
    for board, period, fan in state.dirty.scores:
        score = state.scores[(board, period)][fan]
        rows.append(
            {
                "board": board,
                "period": period,
                "fan_id": fan,
                "points": score.points,
                "last_at": score.last_at,
                "last_event": score.last_event,
            }
        )
    upsert(session, BoardScore, rows, ("board", "period", "fan_id"), ("points", "last_at", "last_event"))
