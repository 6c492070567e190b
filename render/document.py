"""What a bill or a shipping note shows: plain data, built from an order's view.

The renderer never sees the database or an ORM object: the print job builds a `PrintOrder`
from the same `orders.views.OrderView` the API answers with (`from_snapshot`), so what is
printed is exactly what staff see elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from orders.tracking import tracking_url
from orders.transfer_ask import TransferAsk, transfer_ask
from orders.vietqr import BankAccount
from orders.views import CustomerView, OrderRow

DeliveryInstruction = Literal["allow_viewing", "no_viewing", "allow_trying"]


@dataclass(frozen=True)
class Shop:
    name: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class PrintLine:
    name: str
    quantity: int
    unit_price: int  # VND
    variant: str = ""
    code: str = ""

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class PrintOrder:
    code: str  # e.g. DH000123: the Code128 barcode and the QR code carry it
    created_at: datetime  # timezone-aware; printed in Asia/Ho_Chi_Minh
    buyer_name: str = ""
    buyer_phone: str = ""
    address: str = ""  # street, ward, district, province joined with ", "
    lines: tuple[PrintLine, ...] = ()
    subtotal: int = 0
    shipping_fee: int = 0
    total: int = 0
    cod_amount: int = 0
    note: str = ""
    discount: int = 0  # VND off the subtotal; the bill prints it when there is one
    staff: str = ""
    shipper_kind: str | None = None  # ghn, ghtk, viettelpost, ahamove, individual, or None
    shipper_name: str = ""  # an individual shipper's name
    shipper_phone: str = ""
    tracking_code: str = ""
    weight_g: int = 0
    delivery_instruction: DeliveryInstruction = "allow_viewing"
    extra: Mapping[str, Any] = field(default_factory=dict)
    tracking_url: str = ""  # the buyer's tracking page: the bill's QR code holds it
    transfer: TransferAsk | None = None  # money asked by transfer: the bill's second QR code
    payment_method: str = "cod"  # cod, transfer or deposit (`orders.payments`)
    deposit: int = 0
    paid: int = 0  # what came in before the parcel left: the bill subtracts it


def _address(customer: CustomerView) -> str:
    parts = (customer.address, customer.ward, customer.district, customer.province)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def from_snapshot(
    order: OrderRow,
    *,
    weight_g: int = 0,
    delivery_instruction: DeliveryInstruction = "allow_viewing",
    public_url: str = "",
    bank: BankAccount | None = None,
) -> PrintOrder:
    """A `PrintOrder` from the order's view (`orders.views`), the one the API answers with.
    Waitlisted lines are left out: they are not sold until staff accept them. `public_url`
    (`CHOTDON_PUBLIC_URL`) makes the tracking page's address the bill's QR code holds; `bank`
    (`CHOTDON_BANK_*`) the VietQR code of a transfer the order asks for."""
    customer = order.customer
    shipper = order.shipper
    lines = tuple(
        PrintLine(
            name=line.name or line.code or "",
            quantity=line.quantity,
            unit_price=line.unit_price,
            variant=line.variant or "",
            code=line.code or "",
        )
        for line in order.lines
        if not line.waitlisted
    )
    return PrintOrder(
        code=order.code or "",
        created_at=order.created_at,
        buyer_name=customer.name or "",
        buyer_phone=customer.phone or "",
        address=_address(customer),
        lines=lines,
        subtotal=order.subtotal,
        shipping_fee=order.shipping_fee,
        total=order.total,
        cod_amount=order.cod_amount,
        discount=order.discount,
        note=order.note or "",
        staff=order.staff.name if order.staff else "",
        shipper_kind=shipper.kind if shipper else None,
        shipper_name=(shipper.name if shipper else None) or "",
        shipper_phone=(shipper.phone if shipper else None) or "",
        tracking_code=(shipper.tracking_code if shipper else None) or "",
        weight_g=weight_g,
        delivery_instruction=delivery_instruction,
        tracking_url=tracking_url(public_url, order.tracking_token) if order.tracking_token else "",
        transfer=transfer_ask(bank, order),
        payment_method=order.payment.method,
        deposit=order.payment.deposit,
        paid=order.payment.paid,
    )
