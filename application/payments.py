"""Money the bank reported, as staff handle it: find the order a transfer names, list the
transfers nothing matched, and attach one to an order by hand.

A transfer pays an order only through the one function that changes orders
(`orders.transitions.apply_action`, `record_payment`), so the order's version moves, its card
is redrawn and its history says where the money came from, whether the bank's notification
found the order or a staff member did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from application.services import OrderService
from orders import transitions
from orders.actors import Actor
from orders.errors import InvalidInput, NotFound, Reason
from orders.lifecycle import Action, Status
from orders.payments import PaymentIn, code_candidates
from orders.queries import detail_of
from orders.tables import Order, Payment
from orders.views import OrderView

APPLIED, UNMATCHED, IGNORED = "applied", "unmatched", "ignored"
LIST_LIMIT = 200


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """A bank transfer as the payments page and `GET /api/payments` show it."""

    id: int
    amount: int
    content: str
    at: datetime  # the bank's time when it gave one, else when it reached us
    reference: str
    gateway: str
    direction: str
    state: str  # applied, unmatched, ignored
    note: str  # why nothing matched: no_code, unknown_code, several_orders, order_cancelled
    order_id: int | None
    order_code: str | None
    attached_by: str


@dataclass(frozen=True, slots=True)
class OrderMatch:
    """The order a transfer's content names, or why none: `note` is empty on a match."""

    order_id: int | None
    note: str


async def match_order(session: AsyncSession, content: str) -> OrderMatch:
    """The one order whose code the content holds (case, spaces, dots and dashes ignored).
    Of the codes a run of digits may spell, the longest real one wins; two different orders
    in one transfer are left for staff, who know which is which, and so is money for a
    cancelled order, which staff either refund or attach to the order that replaced it."""
    candidates = code_candidates(content)
    if not candidates:
        return OrderMatch(None, "no_code")
    query = select(Order.id, Order.code, Order.status).where(Order.code.in_(candidates))
    rows = (await session.execute(query)).all()
    found = {str(code): int(order_id) for order_id, code, _ in rows}
    cancelled = {int(order_id) for order_id, _, status in rows if status == Status.CANCELLED}
    chosen: set[int] = set()
    taken_runs: set[str] = set()
    for code in candidates:  # longest first within each run of digits
        if code in found and not any(run.startswith(code) for run in taken_runs):
            chosen.add(found[code])
            taken_runs.add(code)
    if not chosen:
        return OrderMatch(None, "unknown_code")
    if len(chosen) > 1:
        return OrderMatch(None, "several_orders")
    order_id = chosen.pop()
    if order_id in cancelled:  # money for an order no longer sold: staff refund or move it
        return OrderMatch(None, "order_cancelled")
    return OrderMatch(order_id, "")


async def pay_order(session: AsyncSession, payment: Payment, order_id: int, actor: Actor) -> None:
    """Add the transfer to the order's paid amount and mark the transfer applied; the caller
    owns the transaction."""
    await transitions.apply_action(
        session,
        order_id,
        Action.RECORD_PAYMENT,
        actor=actor,
        payment=PaymentIn(payment.amount, payment.id, payment.reference),
    )
    payment.state, payment.note, payment.order_id = APPLIED, "", order_id


async def list_payments(
    service: OrderService, *, unmatched: bool = False, limit: int = LIST_LIMIT
) -> list[PaymentRow]:
    """Newest first: every transfer, or only those waiting for staff to name their order."""
    async with service.reading() as session:
        query = (
            select(Payment, Order.code)
            .outerjoin(Order, Order.id == Payment.order_id)
            .order_by(Payment.id.desc())
            .limit(limit)
        )
        if unmatched:
            query = query.where(Payment.state == UNMATCHED)
        return [_row(payment, code) for payment, code in (await session.execute(query)).all()]


async def attach(service: OrderService, payment_id: int, order_id: int, actor: Actor) -> OrderView:
    """A transfer nothing matched pays the order staff name. Only an unmatched incoming one
    may be attached, once: money is never counted twice."""
    async with service.transaction() as session:
        payment = await session.get(Payment, payment_id, with_for_update=True)
        if payment is None:
            raise NotFound(Reason.NO_PAYMENT, payment=payment_id)
        if payment.state != UNMATCHED:
            raise InvalidInput(Reason.PAYMENT_SETTLED, payment=payment_id, state=payment.state)
        await pay_order(session, payment, order_id, actor)
        payment.attached_by = actor.name
        order = await session.get(Order, order_id)
        assert order is not None  # apply_action found it
        view = await detail_of(session, order)
    return view


def _row(payment: Payment, code: str | None) -> PaymentRow:
    return PaymentRow(
        id=payment.id,
        amount=payment.amount,
        content=payment.content,
        at=payment.transaction_at or payment.received_at,
        reference=payment.reference,
        gateway=payment.gateway,
        direction=payment.direction,
        state=payment.state,
        note=payment.note,
        order_id=payment.order_id,
        order_code=code,
        attached_by=payment.attached_by,
    )
