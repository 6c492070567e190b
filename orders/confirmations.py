"""The buyer's answer to "is this your order?": an order's `buyer_confirmation`.

Not a status: staff still create, ship or cancel the order as before; the answer is what they
read on the card before they do. A change of it is an event in the order's history and a new
version, so every card and page showing the order is brought up to date.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox.jobs import enqueue
from kernel.tables import utcnow
from orders.actors import Actor
from orders.effects import order_changed
from orders.history import log_event
from orders.lifecycle import Status
from orders.locking import lock_order
from orders.tables import Order


class Confirmation(StrEnum):
    AWAITING = "awaiting"  # the private reply asking for it went out
    CONFIRMED = "confirmed"
    DECLINED = "declined"


# Statuses in which a buyer's "yes" still means something to staff.
CONFIRMABLE = frozenset({Status.DRAFT.value, Status.WAITING_FOR_SHIPPING.value})
EVENTS = {
    Confirmation.AWAITING: "buyer_asked",
    Confirmation.CONFIRMED: "buyer_confirmed",
    Confirmation.DECLINED: "buyer_declined",
}


async def record_confirmation(
    session: AsyncSession, order_id: int, answer: Confirmation, actor: Actor
) -> Order:
    """Set the order's confirmation, with an event and a new version; the caller has checked
    the order may take it (`CONFIRMABLE`) and commits."""
    order = await lock_order(session, order_id)
    mark_confirmation(session, order, answer, actor)
    await enqueue(session, order_changed(order, EVENTS[answer]))
    return order


def mark_confirmation(
    session: AsyncSession,
    order: Order,
    answer: Confirmation,
    actor: Actor,
    *,
    new_version: bool = True,
) -> None:
    """`record_confirmation` on an order the caller has locked. Without `new_version`: part of
    a change that already made one and announced it (a cancel through `apply_action`)."""
    before = order.buyer_confirmation
    order.buyer_confirmation = answer.value
    if new_version:
        order.version += 1
    order.updated_at = utcnow()
    details: dict[str, object] = {"buyer_confirmation": answer.value}
    if before:
        details["confirmation_before"] = before
    log_event(session, order, actor, EVENTS[answer], order.status, order.status, details)
