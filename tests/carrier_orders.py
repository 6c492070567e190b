"""The parcels every carrier's tests ship: one shop in Ho Chi Minh City, buyers in Hanoi with an
old three-level address and a 2025 two-level one. Every fake carrier's master data knows these
places."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from carriers.base import (
    Address,
    CarrierEvent,
    Contact,
    Instruction,
    ParcelItem,
    ShipmentOrder,
)

SHOP = Contact(
    "Shop Thời Trang Mai",
    "0912345678",
    Address("12 Lý Tự Trọng", "Phường Bến Nghé", "Quận 1", "Thành phố Hồ Chí Minh"),
)
BUYER = Contact(
    "Nguyễn Thị Hoa",
    "0987654321",
    Address("25 Ngõ 4 Phố Huế", "Phường Phạm Đình Hổ", "Quận Hai Bà Trưng", "Thành phố Hà Nội"),
)
# After the July 2025 reform: province and ward, no district.
BUYER_TWO_LEVEL = replace(
    BUYER, address=Address("25 Ngõ 4 Phố Huế", "Phường Hai Bà Trưng", "", "Thành phố Hà Nội")
)

ITEMS = (
    ParcelItem("Áo thun cổ tròn A1", 2, 150_000, 250, "AO-A1"),
    ParcelItem("Quần jean B3", 1, 320_000, 600, "QJ-B3"),
)


def parcel(
    order_code: str = "DH000042",
    *,
    receiver: Contact = BUYER,
    cod_amount: int = 650_000,
    instruction: Instruction = Instruction.ALLOW_VIEWING,
) -> ShipmentOrder:
    """620,000 đ of goods, 1.1 kg, COD 650,000 đ (goods and 30,000 đ shipping)."""
    return ShipmentOrder(
        order_code=order_code,
        sender=SHOP,
        receiver=receiver,
        items=ITEMS,
        weight_g=1_100,
        cod_amount=cod_amount,
        goods_value=620_000,
        note="Gọi trước khi giao",
        instruction=instruction,
    )


def as_expected(events: Sequence[CarrierEvent]) -> list[dict[str, object]]:
    """Parsed events in the shape each carrier's `expected.json` records them."""
    return [
        {
            "status": event.status.value,
            "raw_status": event.raw_status,
            "cod_transferred": event.cod_transferred,
            "cod_amount": event.cod_amount,
        }
        for event in events
    ]
