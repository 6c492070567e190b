"""The shipping note: an A6 label (100 x 150 mm) stuck on the parcel for the carrier.

The label has a fixed size, so long names, addresses and item lists are cut to a number of
lines with `…` rather than growing the page; the COD amount and the QR code sit at the bottom
where the shipper looks when handing the parcel over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from render.codes import code128_image, qr_image
from render.document import PrintOrder, Shop
from render.fonts import TextStyle
from render.formats import format_local_datetime, format_vnd, format_weight
from render.layout import Flow
from render.output import check_format, mm_to_px, pdf_bytes, png_bytes
from render.strings import carrier_name, labels

WIDTH: Final = mm_to_px(100)  # 800 px
HEIGHT: Final = mm_to_px(150)  # 1200 px
MARGIN: Final = 24

CARRIER = TextStyle(56, "ExtraBold")
SHIPPER_NAME = TextStyle(38, "Bold")
HEADING = TextStyle(24, "SemiBold")
SMALL = TextStyle(22)
BODY = TextStyle(26)
STRONG = TextStyle(28, "Bold")
TRACKING = TextStyle(40, "Bold")
RECEIVER = TextStyle(36, "Bold")
COD_AMOUNT = TextStyle(60, "ExtraBold")

BARCODE_HEIGHT: Final = 110
BARCODE_MAX_MODULE_PX: Final = 3
QR_MAX_SIZE: Final = 200
FOOTER_RIGHT_WIDTH: Final = 240


@dataclass(frozen=True)
class Budget:
    """How many lines the variable parts may take; a tighter budget is tried when the label
    would not hold everything."""

    sender_lines: int
    receiver_name_lines: int
    address_lines: int
    contents_lines: int


BUDGETS: Final = (Budget(2, 2, 3, 3), Budget(1, 1, 3, 2), Budget(1, 1, 2, 1))


def item_summary(order: PrintOrder) -> str:
    """`Áo thun trắng (M) x2, Quần jean x1`: what the shipper may check against the parcel."""
    parts = []
    for line in order.lines:
        variant = f" ({line.variant.strip()})" if line.variant.strip() else ""
        parts.append(f"{line.name.strip()}{variant} x{line.quantity}")
    return ", ".join(parts)


def _header(flow: Flow, order: PrintOrder, words: Mapping[str, str]) -> None:
    """Who carries the parcel (a carrier, or an individual shipper's name and phone), with the
    order code on the right."""

    def who(column: Flow) -> None:
        if order.shipper_kind == "individual":
            column.line(words["individual_shipper"], SMALL)
            column.line(order.shipper_name or "—", SHIPPER_NAME)
            if order.shipper_phone.strip():
                column.line(order.shipper_phone, STRONG)
        elif order.shipper_kind:
            column.shrunk_line(carrier_name(order.shipper_kind), CARRIER, min_size=28)
        else:
            column.paragraph(words["no_carrier"], STRONG, max_lines=2)

    def order_code(column: Flow) -> None:
        column.line(words["order_code"], SMALL, align="right")
        column.shrunk_line(order.code, STRONG, align="right")

    flow.columns(who, order_code, right_width=FOOTER_RIGHT_WIDTH)
    flow.rule(thickness=4, space=8)


def _tracking(flow: Flow, order: PrintOrder, words: Mapping[str, str]) -> None:
    """The big barcode: the tracking code, or the order code until the carrier gives one."""
    code = order.tracking_code.strip() or order.code
    if order.tracking_code.strip():
        flow.line(f"{words['tracking_code']}:", HEADING, align="center")
    else:
        flow.paragraph(words["no_tracking"], HEADING, align="center", max_lines=2)
    flow.gap(6)
    barcode = code128_image(
        code,
        max_width=flow.content_width,
        height=BARCODE_HEIGHT,
        max_module_px=BARCODE_MAX_MODULE_PX,
    )
    if barcode is not None:
        flow.image(barcode)
        flow.gap(4)
    flow.shrunk_line(code, TRACKING, align="center")
    flow.rule(thickness=2, space=8)


def _sender(flow: Flow, shop: Shop, words: Mapping[str, str], budget: Budget) -> None:
    flow.labelled(f"{words['sender']}:", shop.name, HEADING, STRONG, max_lines=1)
    details = " - ".join(part.strip() for part in (shop.phone, shop.address) if part.strip())
    flow.paragraph(details, SMALL, max_lines=budget.sender_lines)
    flow.rule(thickness=2, space=8)


def _receiver(flow: Flow, order: PrintOrder, words: Mapping[str, str], budget: Budget) -> None:
    name = order.buyer_name.strip() or "—"
    label = f"{words['receiver']}:"
    flow.labelled(label, name, HEADING, RECEIVER, max_lines=budget.receiver_name_lines)
    flow.paragraph(order.buyer_phone, RECEIVER, max_lines=1)
    flow.paragraph(order.address, BODY, max_lines=budget.address_lines)
    flow.rule(thickness=2, space=8)


def _contents(flow: Flow, order: PrintOrder, words: Mapping[str, str], budget: Budget) -> None:
    summary = item_summary(order) or "—"
    flow.labelled(f"{words['contents']}:", summary, HEADING, BODY, max_lines=budget.contents_lines)
    weight = format_weight(order.weight_g) or words["weight_unknown"]
    flow.labelled(f"{words['weight']}:", weight, HEADING, STRONG, max_lines=1)


def _footer(flow: Flow, order: PrintOrder, words: Mapping[str, str]) -> None:
    """COD and the delivery instruction on the left, the order's QR code on the right."""

    def money(column: Flow) -> None:
        column.line(words["cod"], STRONG)
        column.shrunk_line(format_vnd(order.cod_amount), COD_AMOUNT)
        column.gap(8)
        column.line(f"{words['instruction']}:", HEADING)
        column.paragraph(words.get(order.delivery_instruction, ""), STRONG, max_lines=2)

    def qr(column: Flow) -> None:
        if order.code:
            column.image(qr_image(order.code, max_size=min(QR_MAX_SIZE, column.content_width)))
        column.line(format_local_datetime(order.created_at), SMALL, align="center")

    flow.rule(thickness=4, space=8)
    flow.columns(money, qr, right_width=FOOTER_RIGHT_WIDTH)


def build_note(
    order: PrintOrder, shop: Shop, words: Mapping[str, str], budget: Budget
) -> tuple[Flow, int]:
    """The label and how many pixels it needs; the footer is pushed to the bottom edge."""
    flow = Flow(WIDTH, margin=MARGIN)
    _header(flow, order, words)
    _tracking(flow, order, words)
    _sender(flow, shop, words, budget)
    _receiver(flow, order, words, budget)
    _contents(flow, order, words, budget)
    footer = flow.sub_flow(flow.content_width)
    _footer(footer, order, words)
    flow.gap(HEIGHT - flow.height - footer.height)
    flow.image(footer.render(), align="left")
    return flow, flow.height


def layout_note(order: PrintOrder, shop: Shop, words: Mapping[str, str]) -> Flow:
    """The first budget whose layout fits the label; the tightest one otherwise."""
    for budget in BUDGETS:
        flow, needed = build_note(order, shop, words, budget)
        if needed <= HEIGHT:
            return flow
    return flow


def render_shipping_note(
    order: PrintOrder, shop: Shop, *, language: str = "vi", fmt: str = "png"
) -> bytes:
    """The label as an 800 x 1200 px 1-bit PNG, or a one-page PDF of exactly 100 x 150 mm."""
    fmt = check_format(fmt)
    flow = layout_note(order, shop, labels(language))
    page = flow.render(height=HEIGHT)
    if fmt == "png":
        return png_bytes(page)
    return pdf_bytes([page], paper_width_px=WIDTH)
