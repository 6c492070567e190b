"""The order lifecycle of the seeds as data.

Kept as plain tables so that tests, keyboards and pages can ask "what may happen now" without a
database, and so that exactly one place says which status an action leads to.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    WAITING_FOR_SHIPPING = "waiting_for_shipping"
    SHIPPING = "shipping"
    WAIT_FOR_COD = "wait_for_cod"
    COMPLETE = "complete"
    FAILED_TO_SHIP = "failed_to_ship"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    SENT_TO_SHOP = "sent_to_shop"


class Action(StrEnum):
    EDIT = "edit"
    SAVE_DRAFT = "save_draft"
    CREATE_ORDER = "create_order"
    SEND_TO_SHOP = "send_to_shop"
    SHIP = "ship"
    COMPLETE = "complete"
    FAILED = "failed"
    COLLECT_COD = "collect_cod"
    RETURN = "return"
    CANCEL = "cancel"
    PRINT_BILL = "print_bill"
    PRINT_SHIPPING_NOTE = "print_shipping_note"
    # Money in (a bank transfer, or staff noting one): changes what is paid, never the status,
    # in every status (`orders.transitions`); no lifecycle button offers it.
    RECORD_PAYMENT = "record_payment"


S = Status
A = Action

# action -> {from status: to status}. `complete` lands on wait_for_cod instead when the order
# carries COD; see `target_status`. Print actions are allowed everywhere and change nothing.
TRANSITIONS: dict[Action, dict[Status, Status]] = {
    A.SAVE_DRAFT: {S.DRAFT: S.DRAFT},
    A.EDIT: {S.DRAFT: S.DRAFT, S.WAITING_FOR_SHIPPING: S.WAITING_FOR_SHIPPING},
    A.CREATE_ORDER: {S.DRAFT: S.WAITING_FOR_SHIPPING},
    A.SEND_TO_SHOP: {S.DRAFT: S.SENT_TO_SHOP, S.WAITING_FOR_SHIPPING: S.SENT_TO_SHOP},
    A.SHIP: {S.DRAFT: S.SHIPPING, S.WAITING_FOR_SHIPPING: S.SHIPPING},
    A.COMPLETE: {S.SHIPPING: S.COMPLETE},
    A.FAILED: {S.SHIPPING: S.FAILED_TO_SHIP},
    A.COLLECT_COD: {S.WAIT_FOR_COD: S.COMPLETE},
    A.RETURN: {S.FAILED_TO_SHIP: S.RETURNED},
    A.CANCEL: {
        S.DRAFT: S.CANCELLED,
        S.WAITING_FOR_SHIPPING: S.CANCELLED,
        S.SHIPPING: S.CANCELLED,
    },
    A.PRINT_BILL: {status: status for status in Status},
    A.PRINT_SHIPPING_NOTE: {status: status for status in Status},
    A.RECORD_PAYMENT: {status: status for status in Status},
}

PRINT_ACTIONS = frozenset({A.PRINT_BILL, A.PRINT_SHIPPING_NOTE})
EDIT_ACTIONS = frozenset({A.EDIT, A.SAVE_DRAFT})

# Goods are out of the storehouse in these statuses (they left when the order left draft).
STOCK_OUT_STATUSES = frozenset(
    {
        S.WAITING_FOR_SHIPPING,
        S.SHIPPING,
        S.WAIT_FOR_COD,
        S.COMPLETE,
        S.FAILED_TO_SHIP,
        S.SENT_TO_SHOP,
    }
)

# Staff changing these by hand on a partner-carrier order stops the carrier's webhooks from
# moving it (the seed's rule). Collecting COD is a money event, not a delivery status.
MANUAL_OVERRIDE_ACTIONS = frozenset({A.COMPLETE, A.FAILED, A.CANCEL, A.RETURN})


def allowed_actions(status: Status) -> list[Action]:
    """Actions staff may take on an order in `status`, in the order buttons should appear.
    Recording a payment is left out: money arrives by the bank or a form of its own, never by
    a lifecycle button."""
    return [
        action
        for action, moves in TRANSITIONS.items()
        if status in moves and action is not A.RECORD_PAYMENT
    ]


def is_allowed(action: Action, status: Status) -> bool:
    return status in TRANSITIONS[action]


def target_status(action: Action, status: Status, *, has_cod: bool) -> Status:
    """Where `action` takes an order in `status`; callers check `is_allowed` first."""
    target = TRANSITIONS[action][status]
    if action is A.COMPLETE and has_cod:
        return S.WAIT_FOR_COD
    return target


def leaves_draft(status: Status, target: Status) -> bool:
    return status is S.DRAFT and target is not S.DRAFT and target is not S.CANCELLED


def returns_stock(status: Status, target: Status) -> bool:
    """Goods come back on cancel after the order left draft, and on return."""
    return status in STOCK_OUT_STATUSES and target in {S.CANCELLED, S.RETURNED}
