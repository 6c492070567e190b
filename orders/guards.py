"""What an order must have before it leaves draft: pure checks on an order's fields."""

from __future__ import annotations

from orders.errors import OrderIncomplete
from orders.tables import Order


def missing_to_leave_draft(order: Order) -> list[str]:
    """Names of what is missing; empty when the order may leave draft.

    An address needs a street line, a ward and a province: the 2025 two-level scheme has no
    district, so a district is welcome but not required.
    """
    missing: list[str] = []
    if not order.lines:
        missing.append("at least one line")
    for line in order.lines:
        if line.item_id is None:
            missing.append(f"an item for code {line.code or '?'}")
        if line.waitlisted:
            missing.append(f"a decision on the waitlisted line {line.code or line.name}")
    if not order.buyer_name.strip():
        missing.append("the buyer's name")
    if not order.buyer_phone.strip():
        missing.append("the buyer's phone")
    if not (order.street.strip() and order.ward.strip() and order.province.strip()):
        missing.append("the buyer's address (street, ward and province)")
    return missing


def require_complete(order: Order) -> None:
    missing = missing_to_leave_draft(order)
    if missing:
        raise OrderIncomplete(
            f"Order {order.code} cannot go on yet: it needs {', '.join(missing)}.",
            missing=missing,
        )
