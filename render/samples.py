"""Writes the sample images in docs/ from a realistic order: `python -m render.samples`.

The samples are what reviewers and shop owners look at to judge the layout, so they are made
by the same code as real prints, never edited by hand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from render.bill import render_bill
from render.document import PrintLine, PrintOrder, Shop
from render.shipping_note import render_shipping_note

DOCS = Path(__file__).resolve().parent.parent / "docs"

SHOP = Shop(
    name="Hồng Nhung Boutique",
    phone="0901 234 567",
    address="Số 12 ngõ 34 phố Nguyễn Trãi, phường Thượng Đình, quận Thanh Xuân, Hà Nội",
)

LINES = (
    PrintLine("Áo thun trắng cổ tròn", 2, 150_000, variant="Size M / Trắng", code="A12"),
    PrintLine("Quần jean ống suông xanh đậm", 1, 350_000, variant="Size 28", code="Q05"),
    PrintLine("Váy hoa nhí dáng xòe", 1, 289_000, variant="Size S / Vàng", code="V21"),
    PrintLine("Khăn lụa tơ tằm họa tiết", 3, 95_000, code="K03"),
    PrintLine("Túi xách da mini màu be", 1, 420_000, code="T11"),
)


def sample_order() -> PrintOrder:
    subtotal = sum(line.amount for line in LINES)
    shipping_fee = 30_000
    return PrintOrder(
        code="DH000123",
        created_at=datetime(2026, 11, 21, 17, 30, tzinfo=UTC),
        buyer_name="Nguyễn Thị Thu Hương",
        buyer_phone="0912 345 678",
        address="Số 45 đường Lê Lợi, phường Bến Nghé, quận 1, TP. Hồ Chí Minh",
        lines=LINES,
        subtotal=subtotal,
        shipping_fee=shipping_fee,
        total=subtotal + shipping_fee,
        cod_amount=subtotal + shipping_fee,
        note="Giao giờ hành chính, gọi trước 15 phút. Cho khách xem hàng.",
        staff="Lan",
        shipper_kind="ghn",
        tracking_code="GHNLK7X9Q2P",
        weight_g=1200,
    )


def write_samples(directory: Path = DOCS) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    order = sample_order()
    individual = replace(
        order,
        shipper_kind="individual",
        shipper_name="Trần Văn Tài",
        shipper_phone="0987 654 321",
        tracking_code="",
        weight_g=650,
        delivery_instruction="allow_trying",
    )
    outputs = {
        "bill-80mm.png": render_bill(order, SHOP, paper="80mm"),
        "bill-58mm.png": render_bill(order, SHOP, paper="58mm"),
        "shipping-note.png": render_shipping_note(order, SHOP),
        "shipping-note-individual.png": render_shipping_note(individual, SHOP),
    }
    written = []
    for name, data in outputs.items():
        path = directory / name
        path.write_bytes(data)
        written.append(path)
    return written


def main() -> None:
    for path in write_samples():
        print(path)


if __name__ == "__main__":
    main()
