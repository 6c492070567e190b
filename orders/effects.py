"""Which side effects a change of an order owes the outside world: a pure function of it."""

from __future__ import annotations

from kernel.outbox.jobs import Job
from orders.lifecycle import Action
from orders.outbox import (
    CARRIER_CANCEL_SHIPMENT,
    CARRIER_CREATE_SHIPMENT,
    ORDER_CHANGED,
    SHOP_HANDOFF,
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


def jobs_for(order: Order, action: Action) -> list[Job]:
    """Jobs of a transition that went through. Asking a carrier to ship or to cancel is not
    one: those are requests (`orders.shipments`), whose jobs are below."""
    jobs = [order_changed(order, action.value)]
    if action is Action.SEND_TO_SHOP:
        ref = {"order_id": order.id, "order_code": order.code}
        jobs.append(Job(SHOP_HANDOFF, f"{SHOP_HANDOFF}:{order.code}", ref))
    return jobs


def create_shipment_job(order: Order) -> Job:
    """One job per request: a retry of the job is the same request (the carrier is asked for
    the existing shipment first); staff shipping again after a refusal is a new one."""
    attempt = order.shipment_attempt
    return Job(
        CARRIER_CREATE_SHIPMENT,
        f"{CARRIER_CREATE_SHIPMENT}:{order.code}:{attempt}",
        {
            "order_id": order.id,
            "order_code": order.code,
            "carrier": order.shipper_kind,
            "attempt": attempt,
        },
    )


def cancel_shipment_job(order: Order) -> Job:
    return Job(
        CARRIER_CANCEL_SHIPMENT,
        f"{CARRIER_CANCEL_SHIPMENT}:{order.code}:{order.version}",
        {
            "order_id": order.id,
            "order_code": order.code,
            "carrier": order.shipper_kind,
            "tracking_code": order.tracking_code,
        },
    )
