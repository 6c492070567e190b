"""New orders: a draft from a comment or from staff taking an order by phone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.actors import Actor
from orders.changes import MAX_MONEY, LineInput, clean_text, resolve_lines
from orders.effects import order_changed
from orders.errors import InvalidInput
from orders.outbox import enqueue
from orders.phones import normalize_phone
from orders.tables import Customer, Order, OrderEvent

CODE_PREFIX = "DH"


@dataclass(frozen=True)
class Buyer:
    name: str = ""
    phone: str = ""
    street: str = ""
    ward: str = ""
    district: str = ""
    province: str = ""
    facebook_id: str | None = None


@dataclass(frozen=True)
class NewOrder:
    buyer: Buyer
    lines: Sequence[LineInput]
    source: str = "manual"
    video_id: str | None = None
    note: str = ""
    shipping_fee: int = 0
    cod_amount: int | None = None  # None: follows the total
    staff_id: int | None = None
    codes: Mapping[str, str] | None = None  # a live session's code -> sku table


def order_code(order_id: int) -> str:
    """Short enough to read aloud on the phone and unique because it is the row id."""
    return f"{CODE_PREFIX}{order_id:06d}"


async def _customer_for(session: AsyncSession, buyer: Buyer) -> Customer:
    """The same buyer, recognised by Facebook id or else phone, keeps one delivery record."""
    customer = None
    if buyer.facebook_id:
        customer = await session.scalar(
            select(Customer).where(Customer.facebook_id == buyer.facebook_id)
        )
    if customer is None and buyer.phone:
        customer = await session.scalar(
            select(Customer).where(Customer.phone == buyer.phone).order_by(Customer.id).limit(1)
        )
    if customer is None:
        customer = Customer(facebook_id=buyer.facebook_id)
        session.add(customer)
    for name in ("name", "phone", "street", "ward", "district", "province"):
        value = getattr(buyer, name)
        if value:
            setattr(customer, name, value)
    return customer


def _checked_buyer(buyer: Buyer) -> Buyer:
    phone = ""
    if buyer.phone.strip():
        normal = normalize_phone(buyer.phone)
        if normal is None:
            raise InvalidInput(
                f"{buyer.phone!r} is not a Vietnamese phone number (e.g. 0912345678).",
                field="phone",
            )
        phone = normal
    return Buyer(
        name=clean_text(buyer.name, "buyer_name"),
        phone=phone,
        street=clean_text(buyer.street, "street"),
        ward=clean_text(buyer.ward, "ward"),
        district=clean_text(buyer.district, "district"),
        province=clean_text(buyer.province, "province"),
        facebook_id=clean_text(buyer.facebook_id or "", "facebook_id") or None,
    )


async def create_draft(session: AsyncSession, new: NewOrder, actor: Actor) -> Order:
    """A draft with its lines, linked to its customer; the caller commits."""
    for value, name in ((new.shipping_fee, "shipping_fee"), (new.cod_amount, "cod_amount")):
        if value is not None and not 0 <= value <= MAX_MONEY:
            raise InvalidInput(f"{name} must be between 0 and {MAX_MONEY:,} VND.", field=name)
    buyer = _checked_buyer(new.buyer)
    lines = await resolve_lines(
        session, new.lines, unknown_is_error=new.source == "manual", codes=new.codes
    )
    customer = await _customer_for(session, buyer)
    await session.flush()
    order = Order(
        status="draft",
        version=1,
        source=new.source,
        video_id=new.video_id,
        customer_id=customer.id,
        buyer_name=buyer.name,
        buyer_phone=buyer.phone,
        street=buyer.street,
        ward=buyer.ward,
        district=buyer.district,
        province=buyer.province,
        facebook_id=buyer.facebook_id,
        note=clean_text(new.note, "note"),
        shipping_fee=new.shipping_fee,
        cod_override=new.cod_amount,
        staff_id=new.staff_id,
        lines=lines,
    )
    session.add(order)
    await session.flush()
    order.code = order_code(order.id)
    session.add(
        OrderEvent(
            order_id=order.id,
            actor=actor.name,
            source=actor.source.value,
            action="create",
            from_status=None,
            to_status="draft",
            details={"source": new.source},
        )
    )
    await enqueue(session, order_changed(order, "create"))
    await session.flush()
    await session.refresh(order, ["staff"])  # set by id: load it now, not lazily outside async
    return order
