"""The Earn API's service: a partner credits a purchase or an action, or refunds one.

A credit becomes an event (`purchase`, or `checkin` for an action) with a stable id made
from the partner and its order number (or action reference), so the same order is
credited once whatever happens to the request; a refund becomes a `retract` of it.
Live credits go through the pipeline in the caller's transaction; sandbox credits run
the same engine in memory for the test fans and touch no balance. The campaigns a
partner may issue into are the only ones its events count in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.events import Event
from engine.processor import Engine
from engine.rules.model import CampaignSet
from engine.state import EngineState, Entry
from loyalty import identities, webhooks
from loyalty.keys import KeyOwner
from pipeline import ingest_in
from storage.db import PARTNER_REFERENCE_LOCKS, share_engine_state, take_keys
from storage.models.core import Fan
from storage.models.loyalty import PartnerTransaction
from storage.state_store import aware

SANDBOX_FANS = ("test-fan-1", "test-fan-2", "test-fan-3")
SANDBOX_DOMAIN = "sandbox.fanfare.invalid"
REFERENCE_MAX = 200


class ApiError(Exception):
    """A request the API refuses: HTTP status, a stable code, a message, field details."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []

    def body(self) -> dict[str, Any]:
        """The JSON error document."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


@dataclass(frozen=True, slots=True)
class FanRef:
    """How the partner names the fan: by fan id, or a confirmed e-mail address or handle."""

    kind: str  # id | email | handle
    value: str


@dataclass(frozen=True, slots=True)
class CreditRequest:
    """A validated purchase or action."""

    kind: str  # purchase | action
    fan: FanRef
    reference: str
    at: datetime
    amount: Decimal | None = None
    currency: str | None = None
    action: str | None = None


# -- validation ----------------------------------------------------------------------------


class Fields:
    """Collects every field problem of a body, to report them all at once (shared by the API's parsers)."""

    def __init__(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise ApiError(400, "invalid_json", "the body must be a JSON object")
        self.body, self.problems = body, []  # type: ignore[var-annotated]

    def text(self, name: str, *, required: bool = True, limit: int = REFERENCE_MAX) -> str | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.problems.append({"field": name, "message": "required"})
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            self.problems.append(
                {"field": name, "message": f"a non-empty string of at most {limit} characters"}
            )
            return None
        return value.strip()

    def check(self) -> None:
        unknown = sorted(set(self.body) - self.known)
        self.problems.extend({"field": k, "message": "unknown field"} for k in unknown)
        if self.problems:
            raise ApiError(422, "invalid_request", "the request has invalid fields", self.problems)

    known: frozenset[str] = frozenset()


def fan_ref(fields: Fields) -> FanRef | None:
    raw = fields.body.get("fan")
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("id", "email", "handle"):
        fields.problems.append({"field": "fan", "message": 'one of {"id"}, {"email"} or {"handle"}'})
        return None
    kind, value = next(iter(raw.items()))
    if not isinstance(value, str) or not value.strip() or len(value) > 320:
        fields.problems.append({"field": f"fan.{kind}", "message": "a non-empty string"})
        return None
    return FanRef(kind, value.strip())


def _at(fields: Fields, now: datetime) -> datetime:
    raw = fields.body.get("at")
    if raw is None:
        return now
    try:
        parsed = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        fields.problems.append({"field": "at", "message": "an ISO 8601 time with an offset or Z"})
        return now
    if parsed > now:
        fields.problems.append({"field": "at", "message": "must not be in the future"})
    return parsed


def parse_purchase(body: Any, now: datetime) -> CreditRequest:
    """A purchase body: fan, order, amount (decimal string, > 0), currency (3 letters), at."""
    fields = Fields(body)
    fields.known = frozenset({"fan", "order", "amount", "currency", "at"})
    fan, order = fan_ref(fields), fields.text("order")
    amount = _amount(fields)
    currency = fields.text("currency", limit=3)
    if currency is not None and not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        fields.problems.append({"field": "currency", "message": "an ISO 4217 code such as EUR"})
    at = _at(fields, now)
    fields.check()
    return CreditRequest("purchase", fan, order, at, amount, currency)  # type: ignore[arg-type]


def _amount(fields: Fields) -> Decimal | None:
    raw = fields.text("amount", limit=20)
    if raw is None:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        fields.problems.append({"field": "amount", "message": 'a positive decimal string such as "12.50"'})
        return None
    return amount


def parse_action(body: Any, now: datetime) -> CreditRequest:
    """An action body: fan, action (a name), reference (unique per action), at."""
    fields = Fields(body)
    fields.known = frozenset({"fan", "action", "reference", "at"})
    fan, action, reference = fan_ref(fields), fields.text("action", limit=60), fields.text("reference")
    at = _at(fields, now)
    fields.check()
    return CreditRequest("action", fan, reference, at, action=action)  # type: ignore[arg-type]


# -- crediting -----------------------------------------------------------------------------


def scoped(campaigns: CampaignSet, allowed: tuple[str, ...]) -> CampaignSet:
    """The campaigns a partner's events may count in."""
    return dataclasses.replace(campaigns, campaigns=tuple(c for c in campaigns.campaigns if c.id in allowed))


def resolve_fan(session: Session, owner: KeyOwner, ref: FanRef) -> str:
    """The fan id a reference names, in the key's world (test fans for sandbox keys)."""
    if owner.mode == "sandbox":
        fan = _sandbox_fan(ref)
    elif ref.kind == "id":
        fan = ref.value if session.scalar(select(Fan.kind).where(Fan.id == ref.value)) == "account" else None
    else:
        fan = identities.resolve(session, ref.kind, ref.value)
    if fan is None:
        where = "among the sandbox's test fans" if owner.mode == "sandbox" else "with a confirmed identity"
        raise ApiError(404, "fan_not_found", f"no fan {ref.kind} {ref.value!r} {where}")
    return fan


def _sandbox_fan(ref: FanRef) -> str | None:
    value = identities.normalize(ref.kind, ref.value) if ref.kind != "id" else ref.value
    for fan in SANDBOX_FANS:
        if value in (fan, f"{fan}@{SANDBOX_DOMAIN}", fan.replace("-", "_")):
            return fan
    return None


def _lock_reference(session: Session, owner: KeyOwner, kind: str, reference: str) -> None:
    """Hold the partner's reference until the transaction ends, so that the duplicate check
    after it sees a concurrent twin (a retried request, a refund racing its credit) once
    that commits. Only the reference: credits of other orders, and the workers' batches,
    go on meanwhile (the fans' own locks are taken when the points are applied)."""
    key = f"{owner.partner_id}:{owner.mode}:{kind}:{reference}"
    share_engine_state(session)  # on SQLite the writer lock, which covers every key
    take_keys(session, PARTNER_REFERENCE_LOCKS, [key])


def event_id(owner: KeyOwner, kind: str, reference: str) -> str:
    """The stable id of a partner's purchase or action."""
    return f"partner:{owner.partner_slug}:{kind}:{reference}"


def credit(
    session: Session, campaigns: CampaignSet, owner: KeyOwner, req: CreditRequest, now: datetime
) -> dict[str, Any]:
    """Credit a purchase or action once; the response body. Runs in the caller's transaction."""
    _lock_reference(session, owner, req.kind, req.reference)
    fan = resolve_fan(session, owner, req.fan)
    if _transaction(session, owner, req.kind, req.reference) is not None:
        raise ApiError(409, "already_credited", f"{req.kind} {req.reference!r} was credited before")
    event = _event(owner, req, fan)
    # A sandbox partner not yet given campaigns tries the API against every campaign.
    sandbox_all = owner.mode == "sandbox" and not owner.campaigns
    rules = campaigns if sandbox_all else scoped(campaigns, owner.campaigns)
    entries = (
        _sandbox_run(rules, [event]) if owner.mode == "sandbox" else _live_run(session, rules, event, now)
    )
    body = _result(event.id, "credited", owner.mode, fan, entries)
    session.add(
        PartnerTransaction(
            partner_id=owner.partner_id,
            mode=owner.mode,
            kind=req.kind,
            reference=req.reference,
            event_id=event.id,
            fan_id=fan,
            points=body["points"],
            detail={"attrs": dict(event.attrs), "entries": body["entries"]},
            created_at=now,
        )
    )
    if owner.mode == "live":
        webhooks.enqueue(session, owner.partner_id, "points.credited", event.id, body, now)
    return body


def _event(owner: KeyOwner, req: CreditRequest, fan: str) -> Event:
    attrs: dict[str, Any] = {"partner": owner.partner_slug}
    if req.kind == "purchase":
        attrs.update(amount=str(req.amount), currency=req.currency, order=req.reference)
        kind = "purchase"
    else:
        attrs.update(action=req.action, reference=req.reference)
        kind = "checkin"
    return Event(event_id(owner, req.kind, req.reference), "partner", kind, req.at, fan=fan, attrs=attrs)


def _sandbox_run(campaigns: CampaignSet, events: list[Event]) -> list[Entry]:
    """What the rules give, in memory: sandbox requests never touch a balance."""
    state = EngineState()
    engine = Engine(campaigns, state)
    for event in events:
        engine.process(event)
    return [e for e in state.ledger if e.event_id == events[-1].id]


def _live_run(session: Session, campaigns: CampaignSet, event: Event, now: datetime) -> list[Entry]:
    applied = ingest_in(session, campaigns, [event], [], source="api", now=now)
    outcome = applied.outcomes[event.id]
    if outcome.status != "accepted":
        raise ApiError(409, "not_credited", f"the engine did not accept it: {outcome.status} {outcome.error}")
    return [e for e in applied.entries if e.event_id == event.id]


def _transaction(session: Session, owner: KeyOwner, kind: str, reference: str) -> PartnerTransaction | None:
    return session.scalar(
        select(PartnerTransaction).where(
            PartnerTransaction.partner_id == owner.partner_id,
            PartnerTransaction.mode == owner.mode,
            PartnerTransaction.kind == kind,
            PartnerTransaction.reference == reference,
        )
    )


def _result(event: str, status: str, mode: str, fan: str, entries: list[Entry]) -> dict[str, Any]:
    return {
        "id": event,
        "status": status,
        "mode": mode,
        "fan": fan,
        "points": sum(e.points for e in entries),
        "entries": [
            {"campaign": e.campaign, "source": e.source, "points": e.points, "note": e.note} for e in entries
        ],
    }


def refund(
    session: Session, campaigns: CampaignSet, owner: KeyOwner, kind: str, reference: str, now: datetime
) -> dict[str, Any]:
    """Retract a credited purchase or action: its points are taken back (once)."""
    _lock_reference(session, owner, kind, reference)
    record = _transaction(session, owner, kind, reference)
    if record is None:
        raise ApiError(404, "not_found", f"no {kind} {reference!r} was credited")
    if record.refund_event_id is not None:
        raise ApiError(409, "already_refunded", f"{kind} {reference!r} was refunded before")
    retract_id = f"partner:{owner.partner_slug}:refund:{kind}:{reference}"
    if owner.mode == "sandbox":
        entries = [
            Entry(0, retract_id, record.fan_id, c["campaign"], c["source"], -c["points"], now, "retracted")
            for c in _credited_entries(record)
        ]
    else:
        retract = Event(retract_id, "partner", "retract", now, attrs={"retracts": record.event_id})
        # The full set: a campaign since taken off the partner's list still gets its points back.
        entries = _live_run(session, campaigns, retract, now)
    record.refund_event_id, record.refunded_at = retract_id, now
    body = _result(retract_id, "refunded", owner.mode, record.fan_id, entries)
    if owner.mode == "live":
        webhooks.enqueue(session, owner.partner_id, "points.retracted", retract_id, body, now)
    return body


def _credited_entries(record: PartnerTransaction) -> list[dict[str, Any]]:
    return list(record.detail.get("entries", []))


def status_of(session: Session, owner: KeyOwner, kind: str, reference: str) -> dict[str, Any]:
    """A credited purchase or action as the partner sees it."""
    record = _transaction(session, owner, kind, reference)
    if record is None:
        raise ApiError(404, "not_found", f"no {kind} {reference!r} was credited")
    refunded = aware(record.refunded_at)
    return {
        "id": record.event_id,
        "mode": record.mode,
        "fan": record.fan_id,
        "points": record.points,
        "credited_at": (aware(record.created_at) or record.created_at).isoformat(),
        "refunded_at": refunded.isoformat() if refunded else None,
    }
