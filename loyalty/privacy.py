"""A fan's loyalty data: identities partners name them by, the birthday they gave, what
partners credited them, and the claim codes they used; handed out whole, or erased.

Erasure runs after the engine's (see `accounts.privacy.default_registry`), when the
fan's ledger rows already belong to a nameless tombstone. A partner's transaction is
kept, since its reference must never be credited twice, and moves to the tombstone its
ledger rows went to, so a later refund still takes the points back from the right
totals; its details (what the partner sent about the purchase) are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, delete, select, update
from sqlalchemy.orm import Session

from storage.models.core import LedgerEntry
from storage.models.loyalty import (
    ClaimCode,
    ClaimFailure,
    FanIdentity,
    FanProfile,
    Partner,
    PartnerTransaction,
    WebhookDelivery,
)
from storage.privacy import ERASED
from storage.state_store import iso

if TYPE_CHECKING:
    from accounts.privacy import Subject


def export_loyalty(session: Session, subject: Subject) -> dict[str, Any]:
    """Identities (never their confirmation tokens), birthday, partner credits, codes used."""
    fan = subject.fan_id
    if fan is None:
        return {}
    profile = session.get(FanProfile, fan)
    return {
        "identities": [
            {"kind": i.kind, "value": i.value, "confirmed": i.confirmed_at is not None}
            for i in session.scalars(
                select(FanIdentity).where(FanIdentity.fan_id == fan).order_by(FanIdentity.id)
            )
        ],
        "birthday": None
        if profile is None or profile.birthday_month is None
        else {"month": profile.birthday_month, "day": profile.birthday_day},
        "partner_credits": [
            {
                "partner": name,
                "kind": t.kind,
                "reference": t.reference,
                "points": t.points,
                "at": iso(t.created_at),
                "refunded": t.refunded_at is not None,
            }
            for t, name in session.execute(
                select(PartnerTransaction, Partner.name)
                .join(Partner, Partner.id == PartnerTransaction.partner_id)
                .where(PartnerTransaction.fan_id == fan, PartnerTransaction.mode == "live")
                .order_by(PartnerTransaction.id)
            )
        ],
        "claim_codes": [
            {"label": c.label, "value": c.value, "used_at": iso(c.used_at)}
            for c in session.scalars(select(ClaimCode).where(ClaimCode.used_by == fan).order_by(ClaimCode.id))
        ],
    }


def erase_loyalty(session: Session, subject: Subject) -> None:
    """Delete identities, birthday and wrong-code records; keep credits, codes and the
    partners' webhook messages nameless."""
    fan = subject.fan_id
    if fan is None:
        return
    session.execute(delete(FanIdentity).where(FanIdentity.fan_id == fan))
    session.execute(delete(FanProfile).where(FanProfile.fan_id == fan))
    session.execute(delete(ClaimFailure).where(ClaimFailure.key == f"fan:{fan}"))
    session.execute(update(ClaimCode).where(ClaimCode.used_by == fan).values(used_by=ERASED))
    for record in session.scalars(select(PartnerTransaction).where(PartnerTransaction.fan_id == fan)):
        owner = session.scalar(
            select(LedgerEntry.fan_id).where(LedgerEntry.event_id == record.event_id).limit(1)
        )
        record.fan_id = owner if owner is not None and owner != fan else ERASED
        record.detail = {"entries": record.detail.get("entries", [])}  # what a refund takes back
    _unname_messages(session, fan)


def _unname_messages(session: Session, fan: str) -> None:
    """Webhook messages about the fan (sent or waiting) name the fan no more."""
    about = cast(WebhookDelivery.payload, String).contains(f'"{fan}"')
    for delivery in session.scalars(select(WebhookDelivery).where(about)):
        delivery.payload = _replaced(delivery.payload, fan, ERASED)


def _replaced(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: _replaced(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, old, new) for v in value]
    return new if value == old else value
