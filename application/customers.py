"""Buyers as staff and integrations see them: find, read, correct and flag a customer.

The customer record remembers a buyer's latest phone and address (`orders.customers`), which
fill the buyer's next drafts; staff correct it here when it is wrong, and flag a buyer who
refused parcels (bom hàng) so creating or shipping their orders asks first. One transaction per
use case, as `OrderService` does; changes are last-write-wins (no version), because a customer
row is a note about a person, not a document two people edit in turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.services import OrderService
from application.views import BuyerPage, CustomerRecord
from kernel.tables import utcnow
from orders import customers as memory
from orders.actors import Actor
from orders.changes import clean_text
from orders.errors import InvalidInput, NotFound, Reason
from orders.phones import normalize_phone
from orders.tables import Customer, Order
from orders.views import order_row

SEARCH_LIMIT = 50
ORDERS_SHOWN = 100
MAX_QUERY = 255


@dataclass(frozen=True)
class CustomerChanges:
    """Fields left None are not changed; "" clears a text field."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None  # the street line
    ward: str | None = None
    district: str | None = None
    province: str | None = None
    flagged: bool | None = None
    flag_reason: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__dataclass_fields__)


def record_of(customer: Customer) -> CustomerRecord:
    return CustomerRecord(
        id=customer.id,
        name=customer.name,
        phone=customer.phone,
        address=customer.street,
        ward=customer.ward,
        district=customer.district,
        province=customer.province,
        facebook_id=customer.facebook_id,
        messenger_id=customer.messenger_id,
        flagged=customer.flagged,
        flag_reason=customer.flag_reason,
        delivered=customer.delivered_count,
        failed=customer.failed_count,
        returned=customer.returned_count,
        details_source=customer.details_source,
        details_at=customer.details_at,
        created_at=customer.created_at,
    )


def _escaped_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _search(session: AsyncSession, query: str) -> list[CustomerRecord]:
    """By name (a part of it), by phone (as typed in any spacing, or its digits), or by
    Facebook id (exactly); newest first."""
    text = " ".join(query.split())[:MAX_QUERY]
    statement = select(Customer).order_by(Customer.id.desc()).limit(SEARCH_LIMIT)
    if text:
        pattern = f"%{_escaped_like(text)}%"
        matches = [Customer.name.ilike(pattern, escape="\\"), Customer.facebook_id == text]
        phone = normalize_phone(text)
        digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
        if phone:
            matches.append(Customer.phone == phone)
        elif len(digits) >= 3 and len(digits) == len(text.replace(" ", "")):
            matches.append(Customer.phone.like(f"%{digits}%"))
        statement = statement.where(or_(*matches))
    return [record_of(customer) for customer in await session.scalars(statement)]


async def search(service: OrderService, query: str) -> list[CustomerRecord]:
    async with service.reading() as session:
        return await _search(session, query)


async def _locked(session: AsyncSession, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        raise NotFound(Reason.NO_CUSTOMER, customer=customer_id)
    return customer


async def customer(service: OrderService, customer_id: int) -> CustomerRecord:
    async with service.reading() as session:
        found = await session.get(Customer, customer_id)
        if found is None:
            raise NotFound(Reason.NO_CUSTOMER, customer=customer_id)
        return record_of(found)


async def buyer_page(service: OrderService, customer_id: int) -> BuyerPage:
    """The customer and their orders across lives, read in one moment."""
    async with service.reading() as session:
        found = await session.get(Customer, customer_id)
        if found is None:
            raise NotFound(Reason.NO_CUSTOMER, customer=customer_id)
        orders = await session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.id.desc())
            .limit(ORDERS_SHOWN)
        )
        rows = tuple(order_row(order) for order in orders.unique())
        return BuyerPage(record_of(found), rows)


def _apply(customer: Customer, changes: CustomerChanges, actor: Actor) -> None:
    """Validated like an order's edit: text cleaned and bounded, the phone read as a
    Vietnamese number ("" clears it)."""
    if changes.name is not None:
        customer.name = clean_text(changes.name, "buyer_name")
    details = False
    if changes.phone is not None:
        phone = normalize_phone(changes.phone) if changes.phone.strip() else ""
        if phone is None:
            raise InvalidInput(Reason.BAD_PHONE, field="phone", typed=changes.phone[:40])
        customer.phone = phone
        details = True
    for field, column in (
        ("address", "street"),
        ("ward", "ward"),
        ("district", "district"),
        ("province", "province"),
    ):
        value = getattr(changes, field)
        if value is not None:
            setattr(customer, column, clean_text(value, column))
            details = True
    if changes.flag_reason is not None:
        customer.flag_reason = clean_text(changes.flag_reason, "flag_reason")
    if changes.flagged is not None:
        customer.flagged = changes.flagged
        if not changes.flagged and changes.flag_reason is None:
            customer.flag_reason = ""
    if details:
        customer.details_source = memory.details_source(actor)
        customer.details_at = utcnow()


async def update(
    service: OrderService, customer_id: int, changes: CustomerChanges, actor: Actor
) -> CustomerRecord:
    """Correct or flag a customer; the next drafts are prefilled with what is set here."""
    async with service.transaction() as session:
        found = await _locked(session, customer_id)
        _apply(found, changes, actor)
        await session.flush()
        return record_of(found)


async def flag_order_buyer(
    service: OrderService, order_id: int, flagged: bool, reason: str, actor: Actor
) -> CustomerRecord:
    """Flag (or unflag) the buyer of an order, from the order's card or page."""
    async with service.transaction() as session:
        order = await session.get(Order, order_id)
        if order is None:
            raise NotFound(Reason.NO_ORDER, order=order_id)
        if order.customer_id is None:
            raise NotFound(Reason.NO_CUSTOMER, customer=0)
        found = await _locked(session, order.customer_id)
        changes = CustomerChanges(flagged=flagged, flag_reason=reason if flagged else "")
        _apply(found, changes, actor)
        await session.flush()
        return record_of(found)
