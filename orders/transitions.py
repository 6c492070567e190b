"""The one function that changes an order.

Every adapter (API, bot, carrier webhooks) ends here, so the transition table, the version
check, stock, COD, the event log and the outbox are enforced in one place. The one batched form
is `orders.drafts.DraftBatch`, for a live's comment storm: it only creates drafts and applies
`save_draft` to drafts, checked against the same table, with a version step, an event and an
`order.changed` job for each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox.jobs import enqueue
from kernel.tables import utcnow
from orders import cod, shipments, stock
from orders import customers as memory
from orders.actors import Actor, Source
from orders.changes import MAX_MONEY, OrderChanges, apply_changes
from orders.effects import has_partner_carrier, jobs_for
from orders.errors import ActionNotAllowed, InvalidInput, Reason, StaleVersion
from orders.guards import payment_approval, require_complete, risky_approval
from orders.history import log_event
from orders.lifecycle import (
    EDIT_ACTIONS,
    MANUAL_OVERRIDE_ACTIONS,
    PRINT_ACTIONS,
    STOCK_OUT_STATUSES,
    Action,
    Status,
    allowed_actions,
    is_allowed,
    leaves_draft,
    returns_stock,
    target_status,
)
from orders.locking import lock_order
from orders.payments import PaymentIn
from orders.phones import normalize_phone
from orders.shipper_kinds import CARRIERS, INDIVIDUAL, SHIPPER_KINDS
from orders.tables import Customer, Order


@dataclass(frozen=True)
class ShipWith:
    """Who carries the parcel: a partner carrier by name, or an individual shipper."""

    kind: str
    name: str = ""
    phone: str = ""


def parse_action(name: str | Action) -> Action:
    try:
        return Action(name)
    except ValueError:
        known = [a.value for a in Action]
        raise InvalidInput(Reason.UNKNOWN_ACTION, given=str(name), known=known) from None


async def apply_action(
    session: AsyncSession,
    order_id: int,
    action: Action | str,
    *,
    actor: Actor,
    version: int | None = None,
    changes: OrderChanges | None = None,
    ship_with: ShipWith | None = None,
    accepted: shipments.Accepted | None = None,
    collected: int | None = None,
    reason: str = "",
    approve_risky: bool = False,
    approve_unpaid: bool = False,
    payment: PaymentIn | None = None,
    settlement: cod.Settlement | None = None,
) -> Order:
    """Apply `action` to an order, or raise an `OrderError` and change nothing.

    People must name the `version` they saw; carriers and the system act on the current one.
    Shipping with a partner carrier, or cancelling a parcel a carrier holds, only asks the
    carrier (`orders.shipments`); its yes comes back here as `accepted` (or a carrier cancel).
    `collected` is the COD a carrier says it took on delivery, which is what it owes: less than
    the order's COD when the buyer kept only part of the parcel. Creating or shipping a
    flagged buyer's order needs `approve_risky` from a person (`orders.guards`), and the
    approval is written on the event. Shipping a transfer or deposit order before its money
    came in needs `approve_unpaid` the same way. `record_payment` adds `payment` to what the
    buyer paid, in any status, and changes no status; a person need not name a version for it,
    since money that arrived is true whatever they saw. `settlement` is what a carrier's COD
    statement said of a `collect_cod` (its upload and the fee it kept). The caller commits.
    """
    action = parse_action(action)
    order = await lock_order(session, order_id)
    status = Status(order.status)

    if action in PRINT_ACTIONS:
        log_event(session, order, actor, action.value, status, status, {})
        return order
    if action is Action.RECORD_PAYMENT:
        return await _record_payment(session, order, actor, version, payment)
    _check_version(order, version, actor)
    if not is_allowed(action, status):
        raise ActionNotAllowed(
            Reason.STATUS_FORBIDS,
            order=order.code,
            status=status.value,
            action=action.value,
            allowed=[a.value for a in allowed_actions(status) if a not in PRINT_ACTIONS],
        )
    shipments.check_free(order, action, actor)
    approval = risky_approval(order, action, actor, approved=approve_risky, accepted=accepted)
    approval |= payment_approval(order, action, actor, approved=approve_unpaid, accepted=accepted)
    if _asks_carrier(order, action, status, actor, ship_with, accepted):
        return await _ask_carrier(
            session, order, action, status, actor, ship_with, reason, approval
        )

    details: dict[str, object] = {"reason": reason} if reason else {}
    details |= approval
    before = stock.quantities(order.lines)
    if action in EDIT_ACTIONS:
        if changes is None:
            raise InvalidInput(Reason.EMPTY_EDIT)
        before_buyer = memory.buyer_fields(order)
        details |= await apply_changes(session, order, changes)
        await memory.order_buyer_changed(session, order, before_buyer, actor)
    if action is Action.SHIP and accepted is not None:
        shipments.record_accepted(order, accepted)
        details["tracking_code"] = accepted.tracking_code
    elif action is Action.SHIP:
        _assign_shipper(order, ship_with)
    if action is Action.SHIP:
        details["shipper"] = order.shipper_kind

    owed = order.cod_amount if collected is None else collected
    target = target_status(action, status, has_cod=owed > 0)
    if leaves_draft(status, target) or (action in EDIT_ACTIONS and status in STOCK_OUT_STATUSES):
        require_complete(order)

    if target is Status.WAIT_FOR_COD:
        cod.record_owed(session, order, owed)
        details["cod_amount"] = owed
    if action is Action.COLLECT_COD:
        await cod.record_collected(session, order, settlement)
        if settlement is not None:
            details |= settlement.details()
    if (
        actor.is_person
        and action in MANUAL_OVERRIDE_ACTIONS
        and has_partner_carrier(order)
        and status in (Status.SHIPPING, Status.FAILED_TO_SHIP)
    ):
        order.manual_override = True
        details["manual_override"] = True

    shipments.settle(order)
    order.status = target.value
    order.version += 1
    order.updated_at = utcnow()
    log_event(session, order, actor, action.value, status, target, details)
    for job in jobs_for(order, action):
        await enqueue(session, job)
    await session.flush()
    # Shared rows last: in a live sale everyone buys the same item, so its row lock is the
    # hottest in the database and should be held for as little of the transaction as possible.
    await _count_outcome(session, order, action)
    await _move_stock(session, order, action, status, target, before)
    return order


async def _record_payment(
    session: AsyncSession,
    order: Order,
    actor: Actor,
    version: int | None,
    payment: PaymentIn | None,
) -> Order:
    if version is not None:
        _check_version(order, version, actor)
    if payment is None or payment.amount <= 0:
        raise InvalidInput(Reason.PAYMENT_NEEDED, field="amount")
    if payment.amount > MAX_MONEY:
        raise InvalidInput(Reason.OUT_OF_RANGE, field="amount", low=1, high=MAX_MONEY)
    status = Status(order.status)
    order.paid += payment.amount
    order.version += 1
    order.updated_at = utcnow()
    money = order.money
    details: dict[str, object] = {"amount": payment.amount, "paid": order.paid, "due": money.due}
    if payment.payment_id is not None:
        details["payment_id"] = payment.payment_id
    if payment.reference:
        details["reference"] = payment.reference
    if money.overpaid:
        details["overpaid"] = money.overpaid
    log_event(session, order, actor, Action.RECORD_PAYMENT.value, status, status, details)
    for job in jobs_for(order, Action.RECORD_PAYMENT):
        await enqueue(session, job)
    await session.flush()
    return order


def _asks_carrier(
    order: Order,
    action: Action,
    status: Status,
    actor: Actor,
    ship_with: ShipWith | None,
    accepted: shipments.Accepted | None,
) -> bool:
    if action is Action.SHIP:
        return accepted is None and ship_with is not None and ship_with.kind in CARRIERS
    return (
        action is Action.CANCEL
        and status is Status.SHIPPING
        and has_partner_carrier(order)
        and actor.source is not Source.CARRIER
    )


async def _ask_carrier(
    session: AsyncSession,
    order: Order,
    action: Action,
    status: Status,
    actor: Actor,
    ship_with: ShipWith | None,
    reason: str,
    approval: dict[str, object],
) -> Order:
    if action is Action.CANCEL:
        return await shipments.request_cancel(session, order, actor, status, reason)
    assert ship_with is not None
    require_complete(order)
    return await shipments.request_shipment(session, order, ship_with.kind, actor, status, approval)


async def _move_stock(
    session: AsyncSession,
    order: Order,
    action: Action,
    status: Status,
    target: Status,
    before: Counter[int],
) -> None:
    if leaves_draft(status, target):
        await stock.take(session, order.id, stock.quantities(order.lines))
    elif action in EDIT_ACTIONS and status in STOCK_OUT_STATUSES:
        await stock.adjust(session, order.id, before, stock.quantities(order.lines))
    if returns_stock(status, target):
        await stock.give_back(session, order.id, before)
    await session.flush()


def _check_version(order: Order, version: int | None, actor: Actor) -> None:
    if version is None:
        if actor.is_person:
            raise InvalidInput(Reason.VERSION_NEEDED, field="version")
        return
    if version != order.version:
        raise StaleVersion(
            Reason.STALE_VERSION,
            order=order.code,
            status=order.status,
            version=order.version,
            seen=version,
        )


def _assign_shipper(order: Order, ship_with: ShipWith | None) -> None:
    if ship_with is None or ship_with.kind not in SHIPPER_KINDS:
        raise InvalidInput(
            Reason.UNKNOWN_CARRIER,
            field="carrier",
            given=ship_with.kind if ship_with else "",
            known=list(SHIPPER_KINDS),
        )
    order.shipper_kind = ship_with.kind
    order.tracking_code = None
    order.manual_override = False
    if ship_with.kind != INDIVIDUAL:
        order.shipper_name = order.shipper_phone = None
        return
    phone = normalize_phone(ship_with.phone)
    if not ship_with.name.strip() or phone is None:
        raise InvalidInput(
            Reason.SHIPPER_NEEDED,
            field="shipper_phone" if ship_with.name.strip() else "shipper_name",
        )
    order.shipper_name = ship_with.name.strip()
    order.shipper_phone = phone


async def _count_outcome(session: AsyncSession, order: Order, action: Action) -> None:
    """Keep the buyer's delivery record, which warns staff about serial failed deliveries."""
    counter = {
        Action.COMPLETE: "delivered_count",
        Action.FAILED: "failed_count",
        Action.RETURN: "returned_count",
    }.get(action)
    if counter is None or order.customer_id is None:
        return
    customer = await session.get(Customer, order.customer_id)
    if customer is not None:
        setattr(customer, counter, getattr(customer, counter) + 1)
