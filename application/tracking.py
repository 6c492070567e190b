"""The buyer's tracking page as data: what of an order its public link may show.

Built here, not in the page, so that what leaves the shop is decided in one place and can be
checked without HTML: the phone masked, the province but no street or ward, no staff, no
note, no history. `to_pay` is what the buyer still hands the shipper (the COD) while the order
is on its way; nothing once it is delivered, cancelled or returned. `transfer` is what the
buyer is asked to send by bank transfer now (with the shop's account set), and `transfer_paid`
what already came in by transfer once nothing more is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select

from application.services import OrderService
from carriers.tracking_links import tracking_link
from orders.lifecycle import Status
from orders.payments import PaymentMethod
from orders.tables import Order
from orders.tracking import is_token, mask_phone
from orders.transfer_ask import TransferAsk, transfer_ask
from orders.vietqr import BankAccount
from orders.views import OrderRow, order_row

# While these, the COD is still to be paid on delivery.
PAYING_STATUSES: Final = frozenset(
    {Status.DRAFT, Status.WAITING_FOR_SHIPPING, Status.SHIPPING, Status.FAILED_TO_SHIP}
)


@dataclass(frozen=True, slots=True)
class TrackedLine:
    name: str
    variant: str
    quantity: int
    unit_price: int
    amount: int


@dataclass(frozen=True, slots=True)
class Tracking:
    code: str
    status: str  # the lifecycle's name; the page words it
    created_at: datetime
    buyer_name: str
    phone: str  # masked: `091****678`
    province: str
    carrier: str | None  # a carrier's name (`ghn`...), `individual`, or None before shipping
    tracking_code: str
    carrier_link: str | None  # the carrier's own tracking page for the code
    lines: tuple[TrackedLine, ...]
    subtotal: int
    discount: int
    shipping_fee: int
    total: int
    to_pay: int
    transfer: TransferAsk | None = None
    transfer_paid: int = 0  # VND received for a transfer or deposit order, nothing more asked


def tracking_of(order: OrderRow, bank: BankAccount | None = None) -> Tracking:
    shipper = order.shipper
    kind = shipper.kind if shipper else None
    code = (shipper.tracking_code or "") if shipper else ""
    lines = tuple(
        TrackedLine(
            line.name or line.code, line.variant, line.quantity, line.unit_price, line.amount
        )
        for line in order.lines
        if not line.waitlisted
    )
    return Tracking(
        code=order.code or "",
        status=order.status,
        created_at=order.created_at,
        buyer_name=order.customer.name,
        phone=mask_phone(order.customer.phone or ""),
        province=order.customer.province,
        carrier=kind,
        tracking_code=code,
        carrier_link=tracking_link(kind, code),
        lines=lines,
        subtotal=order.subtotal,
        discount=order.discount,
        shipping_fee=order.shipping_fee,
        total=order.total,
        to_pay=order.cod_amount if order.status in PAYING_STATUSES else 0,
        transfer=transfer_ask(bank, order),
        transfer_paid=_transfer_paid(order),
    )


def _transfer_paid(order: OrderRow) -> int:
    """What came in for an order paid (or part-paid, by deposit) by transfer, once nothing
    more is asked by transfer; 0 for a COD order, or while money is still asked."""
    payment = order.payment
    by_transfer = payment.method in (PaymentMethod.TRANSFER, PaymentMethod.DEPOSIT)
    if not by_transfer or payment.awaiting_transfer:
        return 0
    return max(payment.paid, 0)


async def track(
    service: OrderService, token: str, bank: BankAccount | None = None
) -> Tracking | None:
    """The order behind a tracking link, or None for a token no order has (a malformed one is
    not looked up). `bank` (`ShopProfile.bank`) is where a transfer the order asks goes."""
    if not is_token(token):
        return None
    async with service.reading() as session:
        order = await session.scalar(select(Order).where(Order.tracking_token == token))
        return tracking_of(order_row(order), bank) if order is not None else None
