"""What an order must have before it leaves draft: pure checks on an order's fields."""

from __future__ import annotations

from orders.actors import Actor
from orders.errors import AwaitingPayment, OrderIncomplete, Reason, RiskyBuyer
from orders.lifecycle import Action
from orders.tables import Order

# What a flagged buyer's order asks a person to approve first.
RISKY_ACTIONS = frozenset({Action.CREATE_ORDER, Action.SHIP})


def missing_to_leave_draft(order: Order) -> list[str]:
    """What is missing, as names from `orders.errors.NEEDS`; empty when the order may leave
    draft.

    An address needs a street line, a ward and a province: the 2025 two-level scheme has no
    district, so a district is welcome but not required.
    """
    missing: list[str] = []
    if not order.lines:
        missing.append("lines")
    if any(line.item_id is None for line in order.lines):
        missing.append("item")
    if any(line.waitlisted for line in order.lines):
        missing.append("waitlist_decision")
    if not order.buyer_name.strip():
        missing.append("name")
    if not order.buyer_phone.strip():
        missing.append("phone")
    if not (order.street.strip() and order.ward.strip() and order.province.strip()):
        missing.append("address")
    return missing


def require_complete(order: Order) -> None:
    missing = missing_to_leave_draft(order)
    if missing:
        raise OrderIncomplete(
            Reason.INCOMPLETE,
            order=order.code,
            missing=missing,
            codes=[line.code or "?" for line in order.lines if line.item_id is None],
            waitlisted=[line.code or line.name for line in order.lines if line.waitlisted],
        )


def risky_approval(
    order: Order, action: Action, actor: Actor, *, approved: bool, accepted: object = None
) -> dict[str, object]:
    """Creating or shipping the order of a buyer staff flagged (bom hàng) is refused unless a
    person approved it; the approval is returned for the event. Carriers answering a request
    (`accepted`) and the system are not asked: a person already was. Buyers risky only by
    their count of failed deliveries are warned about, not held."""
    customer = order.customer
    if (
        action not in RISKY_ACTIONS
        or customer is None
        or not customer.flagged
        or not actor.is_person
        or accepted is not None
    ):
        return {}
    if not approved:
        raise RiskyBuyer(
            Reason.RISKY_BUYER,
            order=order.code,
            action=action.value,
            customer=customer.id,
            flag_reason=customer.flag_reason,
        )
    return {"approved_risky": True, "flag_reason": customer.flag_reason}


def payment_approval(
    order: Order, action: Action, actor: Actor, *, approved: bool, accepted: object = None
) -> dict[str, object]:
    """A transfer order ships once paid, a deposit order once its deposit is in: shipping
    earlier is refused unless a person approved it after the warning, and the approval (with
    what was still awaited) is returned for the event. Carriers answering a request and the
    system are not asked: a person already was."""
    money = order.money
    if action is not Action.SHIP or not money.awaiting_transfer:
        return {}
    if not actor.is_person or accepted is not None:
        return {}
    if not approved:
        raise AwaitingPayment(
            Reason.AWAITING_PAYMENT,
            order=order.code,
            method=money.method,
            asked=money.transfer_asked,
            paid=money.paid,
        )
    return {"approved_unpaid": True, "awaited": money.transfer_asked}
