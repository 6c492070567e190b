"""Reading orders back: one order with its history, and pages of orders by filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Exists, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.confirmations import Confirmation
from orders.errors import InvalidInput, NotFound, Reason
from orders.lifecycle import Status
from orders.payments import PaymentMethod
from orders.tables import Customer, Item, Order, OrderEvent, OrderLine, Staff
from orders.views import OrderPage, OrderView, order_row, order_view

_Columns = TypeVarTuple("_Columns")

MAX_PAGE = 200
CONFIRMATIONS = tuple(c.value for c in Confirmation)
# Drafts with no line (never any, or every one cancelled by the buyer): noise after a live.
# `include` lists them with the rest, `hide` leaves them out, `only` lists nothing else.
EMPTY_DRAFTS = ("include", "hide", "only")
# Orders by where their money stands: a transfer or deposit still awaited (not cancelled), or
# more received than the total (staff owe the buyer a refund or a word).
PAYMENT_FILTERS = ("awaiting_transfer", "overpaid")


async def order_detail(session: AsyncSession, order_id: int) -> OrderView:
    order = await session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise NotFound(Reason.NO_ORDER, order=order_id)
    return await detail_of(session, order)


async def detail_of(session: AsyncSession, order: Order) -> OrderView:
    """The full view of an order already loaded in `session`, with its history."""
    order_id = order.id
    events = (
        await session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
        )
    ).all()
    customer = await session.get(Customer, order.customer_id) if order.customer_id else None
    return order_view(order, events, customer)


async def order_weight_g(session: AsyncSession, order_id: int) -> int:
    """Grams the parcel weighs by the catalog: what the shipping note tells the carrier.

    Waitlisted lines are not sold (not shipped) and a line with no item (an unknown code in a
    draft) weighs nothing we know of; both are left out rather than guessed."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Item.weight_g * OrderLine.quantity), 0))
        .select_from(OrderLine)
        .join(Item, OrderLine.item_id == Item.id)
        .where(OrderLine.order_id == order_id, OrderLine.waitlisted.is_(False))
    )
    return int(total or 0)


async def item_weights(session: AsyncSession, order_id: int) -> dict[str, int]:
    """Grams per unit of each catalog item on the order, by SKU: what a carrier's parcel
    lines declare."""
    rows = await session.execute(
        select(Item.sku, Item.weight_g)
        .join(OrderLine, OrderLine.item_id == Item.id)
        .where(OrderLine.order_id == order_id)
    )
    return {sku: int(weight or 0) for sku, weight in rows.all()}


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    staff: int | None = None  # the staff member's Telegram id
    video_id: str | None = None
    q: str | None = None  # order code, phone or buyer's name
    limit: int = 50
    cursor: int | None = None  # the id of the last order of the previous page
    buyer_confirmation: str | None = None  # awaiting, confirmed or declined
    empty_drafts: str = "include"  # one of EMPTY_DRAFTS
    payment: str | None = None  # one of PAYMENT_FILTERS


def _checked(filters: OrderFilter) -> OrderFilter:
    if filters.status is not None and filters.status not in Status.__members__.values():
        raise InvalidInput(
            Reason.UNKNOWN_STATUS,
            field="status",
            given=filters.status,
            known=[s.value for s in Status],
        )
    confirmation = filters.buyer_confirmation
    if confirmation is not None and confirmation not in CONFIRMATIONS:
        raise InvalidInput(
            Reason.UNKNOWN_STATUS,
            field="buyer_confirmation",
            given=confirmation,
            known=list(CONFIRMATIONS),
        )
    if filters.empty_drafts not in EMPTY_DRAFTS:
        raise InvalidInput(
            Reason.UNKNOWN_STATUS,
            field="empty_drafts",
            given=filters.empty_drafts,
            known=list(EMPTY_DRAFTS),
        )
    if filters.payment is not None and filters.payment not in PAYMENT_FILTERS:
        raise InvalidInput(
            Reason.UNKNOWN_STATUS,
            field="payment",
            given=filters.payment,
            known=list(PAYMENT_FILTERS),
        )
    if not 1 <= filters.limit <= MAX_PAGE:
        raise InvalidInput(Reason.OUT_OF_RANGE, field="limit", low=1, high=MAX_PAGE)
    return filters


def narrowed(
    query: Select[*_Columns], filters: OrderFilter, *, by_status: bool = True
) -> Select[*_Columns]:
    """`query` kept to the orders `filters` name (by status only if `by_status`): one place,
    so a page, its tab counts and its "previous" cursor always agree."""
    if by_status and filters.status:
        query = query.where(Order.status == filters.status)
    if filters.empty_drafts != "include":
        empty = and_(Order.status == Status.DRAFT.value, ~_has_lines())
        query = query.where(empty if filters.empty_drafts == "only" else ~empty)
    if filters.video_id:
        query = query.where(Order.video_id == filters.video_id)
    if filters.buyer_confirmation:
        query = query.where(Order.buyer_confirmation == filters.buyer_confirmation)
    if filters.payment:
        query = query.where(_payment_clause(filters.payment))
    if filters.staff is not None:
        query = query.join(Staff, Order.staff_id == Staff.id).where(
            Staff.telegram_id == filters.staff
        )
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        like = f"%{text}%"
        query = query.where(
            or_(
                Order.code == text.upper(),
                Order.buyer_phone.like(like),
                Order.buyer_name.ilike(like),
            )
        )
    return query


def order_total() -> ColumnElement[int]:
    """`Order.total` in SQL: the counted lines, less the discount, plus shipping (a
    correlated subquery on `Order`, for filters and the reports' sums)."""
    lines = (
        select(func.coalesce(func.sum(OrderLine.quantity * OrderLine.unit_price), 0))
        .where(OrderLine.order_id == Order.id, OrderLine.waitlisted.is_(False))
        .scalar_subquery()
    )
    return lines - Order.discount + Order.shipping_fee


def _payment_clause(name: str) -> ColumnElement[bool]:
    """`PaymentView.awaiting_transfer` (or an overpayment) in SQL, so the list pages."""
    total = order_total()
    if name == "overpaid":
        return Order.paid > total
    return and_(
        Order.status != Status.CANCELLED.value,
        Order.paid < total,
        or_(
            Order.payment_method == PaymentMethod.TRANSFER.value,
            and_(
                Order.payment_method == PaymentMethod.DEPOSIT.value,
                Order.paid < Order.deposit,
            ),
        ),
    )


def _has_lines() -> Exists:
    return select(OrderLine.id).where(OrderLine.order_id == Order.id).exists()


async def list_orders(session: AsyncSession, filters: OrderFilter) -> OrderPage:
    """Newest first; returns the page and the cursor of the next page (None at the end)."""
    filters = _checked(filters)
    query = narrowed(select(Order).order_by(Order.id.desc()).limit(filters.limit + 1), filters)
    if filters.cursor is not None:
        query = query.where(Order.id < filters.cursor)
    orders = list((await session.scalars(query)).unique())
    more = len(orders) > filters.limit
    page = orders[: filters.limit]
    next_cursor = page[-1].id if more and page else None
    return OrderPage(tuple(order_row(order) for order in page), next_cursor)
