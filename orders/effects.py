"""Which side effects a change of an order owes the outside world: a pure function of it."""

from __future__ import annotations

from orders.actors import Actor, Source
from orders.lifecycle import Action, Status
from orders.outbox import (
    CARRIER_CANCEL_SHIPMENT,
    CARRIER_CREATE_SHIPMENT,
    ORDER_CHANGED,
    SHOP_HANDOFF,
    Job,
)
from orders.tables import Order


def has_partner_carrier(order: Order) -> bool:
    return order.shipper_kind not in (None, "individual")


def order_changed(order: Order, action: str) -> Job:
    """Tells the chat (and later pages) that this version of the order exists."""
    return version_changed(order.id, order.code or "", order.version, action)


def version_changed(order_id: int, code: str, version: int, action: str) -> Job:
    """`order_changed` for a change written without loading the order (drafts in bulk)."""
    return Job(
        ORDER_CHANGED,
        f"{ORDER_CHANGED}:{order_id}:{version}",
        {"order_id": order_id, "order_code": code, "version": version, "action": action},
    )


def jobs_for(order: Order, action: Action, from_status: Status, actor: Actor) -> list[Job]:
    ref = {"order_id": order.id, "order_code": order.code}
    jobs = [order_changed(order, action.value)]
    if action is Action.SHIP and has_partner_carrier(order):
        jobs.append(
            Job(
                CARRIER_CREATE_SHIPMENT,
                f"{CARRIER_CREATE_SHIPMENT}:{order.code}:{order.version}",
                {**ref, "carrier": order.shipper_kind},
            )
        )
    if (
        action is Action.CANCEL
        and from_status is Status.SHIPPING
        and has_partner_carrier(order)
        and actor.source is not Source.CARRIER
    ):
        jobs.append(
            Job(
                CARRIER_CANCEL_SHIPMENT,
                f"{CARRIER_CANCEL_SHIPMENT}:{order.code}",
                {**ref, "carrier": order.shipper_kind, "tracking_code": order.tracking_code},
            )
        )
    if action is Action.SEND_TO_SHOP:
        jobs.append(Job(SHOP_HANDOFF, f"{SHOP_HANDOFF}:{order.code}", ref))
    return jobs
