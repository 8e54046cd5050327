"""The social accounts a fan connected: handed out without their tokens, or deleted with them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models.connect import ConnectedAccount
from storage.state_store import iso

if TYPE_CHECKING:
    from accounts.privacy import Subject


def export_connected(session: Session, subject: Subject) -> list[dict[str, Any]]:
    """Platform, account id, handle and since when; never the (encrypted) tokens."""
    if subject.fan_id is None:
        return []
    query = (
        select(ConnectedAccount)
        .where(ConnectedAccount.fan_id == subject.fan_id)
        .order_by(ConnectedAccount.id)
    )
    return [
        {
            "platform": a.platform,
            "user_id": a.user_id,
            "handle": a.handle,
            "linked_at": iso(a.linked_at),
        }
        for a in session.scalars(query)
    ]


def erase_connected(session: Session, subject: Subject) -> None:
    """Delete the connections and with them the tokens to act on the fan's behalf."""
    if subject.fan_id is not None:
        session.execute(delete(ConnectedAccount).where(ConnectedAccount.fan_id == subject.fan_id))
