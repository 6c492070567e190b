"""What a bill or a shipping note shows: plain data, built from an order snapshot.

The renderer never sees the database or an ORM object: the adapter that serves the images
builds a `PrintOrder` from the JSON snapshot the API already returns (`from_snapshot`), so
what is printed is exactly what staff see elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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
    staff: str = ""
    shipper_kind: str | None = None  # ghn, ghtk, viettelpost, ahamove, individual, or None
    shipper_name: str = ""  # an individual shipper's name
    shipper_phone: str = ""
    tracking_code: str = ""
    weight_g: int = 0
    delivery_instruction: DeliveryInstruction = "allow_viewing"
    extra: Mapping[str, Any] = field(default_factory=dict)


def _address(customer: Mapping[str, Any]) -> str:
    parts = (customer.get(k) or "" for k in ("address", "ward", "district", "province"))
    return ", ".join(part.strip() for part in parts if part and part.strip())


def from_snapshot(
    snapshot: Mapping[str, Any],
    *,
    weight_g: int = 0,
    delivery_instruction: DeliveryInstruction = "allow_viewing",
) -> PrintOrder:
    """A `PrintOrder` from `orders.snapshots.order_snapshot(...)` (the API's JSON shape).
    Waitlisted lines are left out: they are not sold until staff accept them."""
    customer = snapshot.get("customer") or {}
    shipper = snapshot.get("shipper") or {}
    staff = snapshot.get("staff") or {}
    lines = tuple(
        PrintLine(
            name=line.get("name") or line.get("code") or "",
            quantity=int(line["quantity"]),
            unit_price=int(line["unit_price"]),
            variant=line.get("variant") or "",
            code=line.get("code") or "",
        )
        for line in snapshot.get("lines", [])
        if not line.get("waitlisted")
    )
    created = snapshot.get("created_at")
    return PrintOrder(
        code=snapshot.get("code") or "",
        created_at=datetime.fromisoformat(created) if isinstance(created, str) else created,
        buyer_name=customer.get("name") or "",
        buyer_phone=customer.get("phone") or "",
        address=_address(customer),
        lines=lines,
        subtotal=int(snapshot.get("subtotal") or 0),
        shipping_fee=int(snapshot.get("shipping_fee") or 0),
        total=int(snapshot.get("total") or 0),
        cod_amount=int(snapshot.get("cod_amount") or 0),
        note=snapshot.get("note") or "",
        staff=staff.get("name") or "",
        shipper_kind=shipper.get("kind"),
        shipper_name=shipper.get("name") or "",
        shipper_phone=shipper.get("phone") or "",
        tracking_code=shipper.get("tracking_code") or "",
        weight_g=weight_g,
        delivery_instruction=delivery_instruction,
    )
