"""Plain, JSON-ready views of orders: what the API returns and what the renderer draws.

Adapters never hand ORM objects across the boundary; a snapshot is data and stays true after
the session is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from orders.lifecycle import PRINT_ACTIONS, Status, allowed_actions
from orders.tables import Customer, Order, OrderEvent


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def order_snapshot(
    order: Order,
    events: Sequence[OrderEvent] | None = None,
    customer: Customer | None = None,
) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "id": order.id,
        "code": order.code,
        "status": order.status,
        "version": order.version,
        "source": order.source,
        "video_id": order.video_id,
        "customer": {
            "name": order.buyer_name,
            "phone": order.buyer_phone,
            "address": order.street,
            "ward": order.ward,
            "district": order.district,
            "province": order.province,
            "facebook_id": order.facebook_id,
        },
        "lines": [
            {
                "id": line.id,
                "code": line.code,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.quantity * line.unit_price,
                "variant": line.variant,
                "needs_review": line.needs_review,
                "waitlisted": line.waitlisted,
                "comment_id": line.comment_id,
            }
            for line in order.lines
        ],
        "note": order.note,
        "subtotal": order.subtotal,
        "shipping_fee": order.shipping_fee,
        "total": order.total,
        "cod_amount": order.cod_amount,
        "shipper": {
            "kind": order.shipper_kind,
            "tracking_code": order.tracking_code,
            "name": order.shipper_name,
            "phone": order.shipper_phone,
            "carrier_status": order.carrier_status,
            "fee": order.carrier_fee,
            "expected_delivery": _iso(order.expected_delivery),
            # requesting / cancelling: the carrier is being asked; refused: it said no (note)
            "state": order.shipment_state,
            "note": order.shipment_note,
            "attempt": order.shipment_attempt,
        }
        if order.shipper_kind
        else None,
        "manual_override": order.manual_override,
        "staff": {"telegram_id": order.staff.telegram_id, "name": order.staff.name}
        if order.staff
        else None,
        "allowed_actions": [
            a.value for a in allowed_actions(Status(order.status)) if a not in PRINT_ACTIONS
        ],
        "created_at": _iso(order.created_at),
        "updated_at": _iso(order.updated_at),
    }
    if customer is not None:
        snapshot["customer"]["history"] = {
            "delivered": customer.delivered_count,
            "failed": customer.failed_count,
            "returned": customer.returned_count,
        }
    if events is not None:
        snapshot["events"] = [
            {
                "at": _iso(event.at),
                "actor": event.actor,
                "source": event.source,
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "details": event.details,
            }
            for event in events
        ]
    return snapshot


def risky_count(order: Mapping[str, Any]) -> int:
    """Failed plus returned deliveries of the buyer, from the snapshot's customer history."""
    history = (order.get("customer") or {}).get("history") or {}
    return int(history.get("failed") or 0) + int(history.get("returned") or 0)
