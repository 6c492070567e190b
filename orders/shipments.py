"""Asking a partner carrier, which happens after the commit: the order waits, and says so.

"Send order" with GHN (or GHTK, ...) cannot move the order to `shipping` in the staff's
transaction, because the carrier has not said yes yet and may say no. So the order keeps its
status, is marked `requesting`, and an outbox job asks the carrier. The carrier's yes arrives
as `apply_action(ship, accepted=...)` and moves it on; a no is written on the order
(`refused`, with the carrier's words) and staff can fix the order and ship again. Cancelling a
parcel that is already with a carrier works the same way: `cancelling` until the carrier agrees,
and a refusal ("already picked up") leaves the order shipping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox.jobs import Job, enqueue_many
from kernel.tables import utcnow
from orders.actors import Actor
from orders.effects import cancel_shipment_job, create_shipment_job, order_changed
from orders.errors import ActionNotAllowed, Reason
from orders.history import log_event
from orders.lifecycle import Action, Status
from orders.locking import lock_order
from orders.outbox import ORDER_CHANGED
from orders.tables import Order

REQUESTING = "requesting"
CANCELLING = "cancelling"
REFUSED = "refused"

SHIPMENT_REFUSED = "shipment_refused"
SHIPMENT_WAITING = "shipment_waiting"
CANCEL_REFUSED = "cancel_refused"


@dataclass(frozen=True)
class Accepted:
    """The carrier's yes, as the order keeps it."""

    tracking_code: str
    fee: int
    expected_delivery: datetime | None = None


def check_free(order: Order, action: Action, actor: Actor) -> None:
    """While a carrier is being asked, people may only cancel a request for a shipment; what
    the carrier and the system report still applies."""
    state = order.shipment_state
    if not actor.is_person or state not in (REQUESTING, CANCELLING):
        return
    if state == REQUESTING and action is Action.CANCEL:
        return
    raise ActionNotAllowed(
        Reason.CARRIER_REQUESTING if state == REQUESTING else Reason.CARRIER_CANCELLING,
        order=order.code,
        status=order.status,
        carrier=order.shipper_kind or "",
    )


def settle(order: Order) -> None:
    """Any transition that goes through ends whatever was being asked."""
    order.shipment_state = None
    order.shipment_note = ""


def record_accepted(order: Order, accepted: Accepted) -> None:
    if order.shipment_state != REQUESTING:
        raise ActionNotAllowed(Reason.NOT_AWAITING_SHIPMENT, order=order.code, status=order.status)
    order.tracking_code = accepted.tracking_code
    order.carrier_fee = accepted.fee
    order.expected_delivery = accepted.expected_delivery


async def request_shipment(
    session: AsyncSession,
    order: Order,
    carrier: str,
    actor: Actor,
    status: Status,
    approval: dict[str, object] | None = None,
) -> Order:
    order.shipper_kind = carrier
    order.shipper_name = order.shipper_phone = None
    order.tracking_code = None
    order.carrier_fee = None
    order.expected_delivery = None
    order.manual_override = False
    order.shipment_state = REQUESTING
    order.shipment_note = ""
    order.shipment_attempt += 1
    _step(order)
    details: dict[str, object] = {
        "shipper": carrier,
        "requested": True,
        "attempt": order.shipment_attempt,
    }
    details |= approval or {}
    log_event(session, order, actor, Action.SHIP.value, status, status, details)
    await enqueue_many(
        session, [order_changed(order, Action.SHIP.value), create_shipment_job(order)]
    )
    return order


async def request_cancel(
    session: AsyncSession, order: Order, actor: Actor, status: Status, reason: str
) -> Order:
    order.shipment_state = CANCELLING
    order.shipment_note = ""
    _step(order)
    details: dict[str, object] = {"requested": True}
    if reason:
        details["reason"] = reason
    log_event(session, order, actor, Action.CANCEL.value, status, status, details)
    await enqueue_many(
        session, [order_changed(order, Action.CANCEL.value), cancel_shipment_job(order)]
    )
    return order


async def note_waiting(session: AsyncSession, order_id: int, attempt: int, message: str) -> None:
    """The carrier did not answer; the job will try again. Shown on the card without a new
    version, so the buttons staff hold stay valid."""
    order = await lock_order(session, order_id)
    if order.shipment_state not in (REQUESTING, CANCELLING):
        return
    order.shipment_note = message
    key = f"{ORDER_CHANGED}:{order.id}:{order.version}:waiting:{attempt}"
    payload = {
        "order_id": order.id,
        "order_code": order.code,
        "version": order.version,
        "action": SHIPMENT_WAITING,
    }
    await enqueue_many(session, [Job(ORDER_CHANGED, key, payload)])


async def note_refused(
    session: AsyncSession, order_id: int, message: str, *, cancelling: bool = False
) -> bool:
    """The carrier said no (or never answered and the job gave up). Returns whether the order
    was still waiting for that answer."""
    order = await lock_order(session, order_id)
    expected = CANCELLING if cancelling else REQUESTING
    if order.shipment_state != expected:
        return False
    order.shipment_state = None if cancelling else REFUSED
    order.shipment_note = message
    _step(order)
    status = Status(order.status)
    action = CANCEL_REFUSED if cancelling else SHIPMENT_REFUSED
    details: dict[str, object] = {"carrier": order.shipper_kind, "message": message}
    log_event(
        session,
        order,
        Actor.carrier(order.shipper_kind or "carrier"),
        action,
        status,
        status,
        details,
    )
    await enqueue_many(session, [order_changed(order, action)])
    return True


def _step(order: Order) -> None:
    order.version += 1
    order.updated_at = utcnow()
