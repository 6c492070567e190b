"""The customer's bill, for 80 mm (or 58 mm) thermal receipt printers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from orders.tracking import is_absolute
from orders.transfer_ask import TransferAsk
from render.codes import code128_image, qr_image
from render.document import PrintLine, PrintOrder, Shop
from render.fonts import TextStyle
from render.formats import format_local_datetime, format_vnd
from render.layout import Flow
from render.output import check_format, mm_to_px, pdf_bytes, png_bytes
from render.strings import labels

PDF_PAGE_HEIGHT_MM: Final = 200  # a PDF of a long bill is cut into pages of 80 x 200 mm


@dataclass(frozen=True)
class BillPaper:
    """A roll width and the type sizes that read well on it."""

    paper_mm: int
    print_width_px: int  # the print head's width: 72 mm of an 80 mm roll, 48 mm of 58 mm
    margin: int
    shop: TextStyle
    title: TextStyle
    body: TextStyle
    strong: TextStyle
    small: TextStyle
    cod_label: TextStyle
    cod_amount: TextStyle
    barcode_height: int
    qr_max_size: int
    # The VietQR code carries some 110 characters (version 6-7, 41-45 modules): given the
    # tracking QR's room it would fall to 3 px modules, so it gets more room, for 4-5 px.
    transfer_qr_max_size: int

    @property
    def paper_width_px(self) -> int:
        return mm_to_px(self.paper_mm)


PAPERS: Final[Mapping[str, BillPaper]] = {
    "80mm": BillPaper(
        paper_mm=80,
        print_width_px=576,
        margin=12,
        shop=TextStyle(34, "Bold"),
        title=TextStyle(28, "Bold"),
        body=TextStyle(24),
        strong=TextStyle(24, "SemiBold"),
        small=TextStyle(21),
        cod_label=TextStyle(26, "Bold"),
        cod_amount=TextStyle(56, "Bold"),
        barcode_height=80,
        qr_max_size=190,
        transfer_qr_max_size=280,
    ),
    "58mm": BillPaper(
        paper_mm=58,
        print_width_px=384,
        margin=8,
        shop=TextStyle(28, "Bold"),
        title=TextStyle(24, "Bold"),
        body=TextStyle(21),
        strong=TextStyle(21, "SemiBold"),
        small=TextStyle(19),
        cod_label=TextStyle(22, "Bold"),
        cod_amount=TextStyle(44, "Bold"),
        barcode_height=64,
        qr_max_size=160,
        transfer_qr_max_size=220,
    ),
}


def bill_paper(paper: str) -> BillPaper:
    try:
        return PAPERS[(paper or "").strip().lower()]
    except KeyError:
        raise ValueError(f"unknown paper {paper!r}: expected one of {', '.join(PAPERS)}") from None


def _shop_header(flow: Flow, shop: Shop, words: Mapping[str, str], paper: BillPaper) -> None:
    flow.paragraph(shop.name, paper.shop, align="center")
    if shop.phone.strip():
        flow.paragraph(f"{words['shop_phone']}: {shop.phone}", paper.body, align="center")
    flow.paragraph(shop.address, paper.small, align="center")
    flow.rule(thickness=3)


def _order_header(
    flow: Flow, order: PrintOrder, words: Mapping[str, str], paper: BillPaper
) -> None:
    flow.paragraph(words["bill_title"], paper.title, align="center")
    flow.gap(8)
    barcode = code128_image(order.code, max_width=flow.content_width, height=paper.barcode_height)
    if barcode is not None:
        flow.image(barcode)
        flow.gap(4)
    flow.shrunk_line(order.code, paper.strong, align="center")
    flow.gap(6)
    when = format_local_datetime(order.created_at)
    if when:
        flow.pair(f"{words['date']}:", when, paper.body)
    if order.staff.strip():
        flow.pair(f"{words['staff']}:", order.staff, paper.body)


def _buyer(flow: Flow, order: PrintOrder, words: Mapping[str, str], paper: BillPaper) -> None:
    rows = [
        (words["buyer"], order.buyer_name, paper.strong),
        (words["buyer_phone"], order.buyer_phone, paper.strong),
        (words["address"], order.address, paper.body),
    ]
    present = [(f"{label}:", value, style) for label, value, style in rows if value.strip()]
    if not present:
        return
    flow.rule(dashed=True)
    for label, value, style in present:
        flow.labelled(label, value, paper.body, style)


def _line_item(
    flow: Flow, number: int, line: PrintLine, paper: BillPaper, number_width: int
) -> None:
    """`1. name`, then the variant and `2 x 150.000 đ ... 300.000 đ` under the name."""
    flow.labelled(f"{number}.", line.name, paper.strong, paper.strong, label_width=number_width)
    flow.paragraph(line.variant, paper.small, indent=number_width)
    quantity = f"{line.quantity} x {format_vnd(line.unit_price)}"
    flow.pair(quantity, format_vnd(line.amount), paper.body, paper.strong, indent=number_width)


def _lines(
    flow: Flow, lines: Sequence[PrintLine], words: Mapping[str, str], paper: BillPaper
) -> None:
    flow.rule(dashed=True)
    if not lines:
        flow.paragraph(words["no_items"], paper.body, align="center")
        return
    number_width = math.ceil(paper.strong.font.getlength(f"{len(lines)}. "))
    for number, line in enumerate(lines, start=1):
        if number > 1:
            flow.gap(6)
        with flow.kept_together():
            _line_item(flow, number, line, paper, number_width)


def _totals(flow: Flow, order: PrintOrder, words: Mapping[str, str], paper: BillPaper) -> None:
    def cod(box: Flow) -> None:
        box.paragraph(words["cod"], paper.cod_label, align="center")
        box.shrunk_line(format_vnd(order.cod_amount), paper.cod_amount, align="center")

    with flow.kept_together():
        flow.rule(dashed=True)
        flow.pair(f"{words['subtotal']}:", format_vnd(order.subtotal), paper.body)
        if order.discount > 0:
            flow.pair(f"{words['discount']}:", "-" + format_vnd(order.discount), paper.body)
        flow.pair(f"{words['shipping_fee']}:", format_vnd(order.shipping_fee), paper.body)
        flow.pair(f"{words['total']}:", format_vnd(order.total), paper.strong)
        if order.payment_method == "transfer":
            flow.pair(f"{words['payment']}:", words["payment_transfer"], paper.body)
        elif order.payment_method == "deposit":
            deposit = words["payment_deposit"].format(amount=format_vnd(order.deposit))
            flow.pair(f"{words['payment']}:", deposit, paper.body)
        if order.paid > 0:
            flow.pair(f"{words['paid']}:", "-" + format_vnd(order.paid), paper.body)
        flow.gap(10)
        flow.boxed(cod)


def _transfer(
    flow: Flow, transfer: TransferAsk, words: Mapping[str, str], paper: BillPaper
) -> None:
    """The VietQR code a banking app scans to fill the transfer, and what it fills, for a
    buyer typing it by hand: the amount, the account, its holder, the memo to keep."""
    rows = [
        (words["transfer_amount"], format_vnd(transfer.amount), paper.strong),
        (words["transfer_bank"], transfer.bank_bin, paper.body),
        (words["transfer_account"], transfer.account, paper.strong),
        (words["transfer_name"], transfer.account_name, paper.body),
        (words["transfer_memo"], transfer.memo, paper.strong),
    ]
    with flow.kept_together():
        flow.rule(dashed=True)
        flow.paragraph(words["transfer_title"], paper.cod_label, align="center")
        flow.gap(4)
        size = min(paper.transfer_qr_max_size, flow.content_width)
        flow.image(qr_image(transfer.payload, max_size=size, max_scale=5))
        flow.gap(4)
        for label, value, style in rows:
            if value.strip():
                flow.pair(f"{label}:", value, paper.body, style)
        flow.paragraph(words["transfer_memo_hint"], paper.small, align="center")


def _closing(flow: Flow, order: PrintOrder, words: Mapping[str, str], paper: BillPaper) -> None:
    if order.note.strip():
        flow.gap(6)
        flow.labelled(f"{words['note']}:", order.note, paper.strong, paper.body)
    # The QR code opens the buyer's tracking page, as its caption says; an order printed
    # without a public address for it (no `CHOTDON_PUBLIC_URL`) keeps the order code, uncaptioned.
    link = order.tracking_url if is_absolute(order.tracking_url) else ""
    with flow.kept_together():
        flow.rule(dashed=True)
        if link or order.code:
            size = min(paper.qr_max_size, flow.content_width)
            flow.image(qr_image(link or order.code, max_size=size))
            if link:
                flow.paragraph(words["scan_hint"], paper.small, align="center")
            flow.gap(8)
        flow.paragraph(words["thanks"], paper.strong, align="center")


def build_bill(order: PrintOrder, shop: Shop, words: Mapping[str, str], paper: BillPaper) -> Flow:
    """The bill laid out top to bottom, as tall as its content."""
    flow = Flow(paper.print_width_px, margin=paper.margin, top=16)
    _shop_header(flow, shop, words, paper)
    _order_header(flow, order, words, paper)
    _buyer(flow, order, words, paper)
    _lines(flow, order.lines, words, paper)
    _totals(flow, order, words, paper)
    if order.transfer is not None:
        _transfer(flow, order.transfer, words, paper)
    _closing(flow, order, words, paper)
    return flow


def render_bill(
    order: PrintOrder,
    shop: Shop,
    *,
    language: str = "vi",
    paper: str = "80mm",
    fmt: str = "png",
) -> bytes:
    """The bill as a 1-bit PNG as wide as the print head (576 px for 80 mm, 384 px for 58 mm)
    and as tall as its content, or as a PDF of 80 (58) x 200 mm pages."""
    fmt = check_format(fmt)
    spec = bill_paper(paper)
    flow = build_bill(order, shop, labels(language), spec)
    if fmt == "png":
        return png_bytes(flow.render())
    pages = flow.pages(mm_to_px(PDF_PAGE_HEIGHT_MM))
    return pdf_bytes(pages, paper_width_px=spec.paper_width_px)
