"""Many bills or many shipping notes in one PDF, each order drawn once.

The render worker draws an order and saves its pages at once as a small PDF of their own
(`bill_pdf`, `note_pdf`: Pillow's PDF plugin, a 1-bit page stored as CCITT Group 4, lossless,
about 10 KB a label), then drops the drawing; the web process joins those PDFs without drawing
(`render.joining`, pypdf). Memory in the worker is one order's pages decoded at a time.

Bills: every bill starts on a page of its own, in the order given, as wide as its roll (80 or
58 mm). A page is at most 200 mm long, as a single bill's PDF (`render.bill`); a longer bill
continues on the next page, cut between blocks as there. Unlike a single bill's PDF, each
bill's last page ends with its content: on a roll with a cutter every page is cut off, and a
short bill on a fixed 200 mm page would feed up to 15 cm of blank paper, 300 times over. A
driver set to a fixed page length still prints it whole (a shorter page fits inside).

Shipping notes: an A6 label (100 x 150 mm) is drawn once, then either is a page of its own
(`a6`, for label printers) or one of four on an A4 portrait sheet (`a4`, 2 x 2, for office
printers). Four whole A6 labels are 200 x 300 mm, 3 mm longer than A4 and with no room for a
printer's unprintable edge, so on A4 each is placed at `render.joining.A4_SCALE` (94 x 141 mm)
inside 5 mm margins, with dashed lines to cut along.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

from render.bill import PDF_PAGE_HEIGHT_MM, bill_paper, build_bill
from render.document import PrintOrder, Shop
from render.joining import JoinedPdf, four_to_a4, join
from render.output import mm_to_px, pdf_bytes
from render.shipping_note import HEIGHT, WIDTH, layout_note
from render.strings import labels

Sheet = Literal["a6", "a4"]
SHEETS: Final[tuple[Sheet, ...]] = ("a6", "a4")


def bill_pdf(order: PrintOrder, shop: Shop, *, language: str, paper: str) -> bytes:
    """One bill's pages, each ending with its content on the last, as a small PDF."""
    spec = bill_paper(paper)
    flow = build_bill(order, shop, labels(language), spec)
    pages = flow.pages(mm_to_px(PDF_PAGE_HEIGHT_MM), trim_last=True)
    return pdf_bytes(pages, paper_width_px=spec.paper_width_px)


def note_pdf(order: PrintOrder, shop: Shop, *, language: str) -> bytes:
    """One A6 label, 800 x 1200 dots, as a one-page PDF."""
    label = layout_note(order, shop, labels(language)).render(height=HEIGHT)
    return pdf_bytes([label], paper_width_px=WIDTH)


def join_bills(bills: Iterable[bytes]) -> JoinedPdf:
    """The bills' PDFs (from `bill_pdf`) as one, in the order given."""
    return join(bills)


def join_notes(notes: Iterable[bytes], sheet: Sheet) -> JoinedPdf:
    """The labels' PDFs (from `note_pdf`) as one: an A6 page each, or four to an A4 sheet."""
    return join(notes) if sheet == "a6" else four_to_a4(notes)


def check_sheet(sheet: str) -> Sheet:
    given = (sheet or "").strip().lower()
    for known in SHEETS:
        if given == known:
            return known
    raise ValueError(f"unknown sheet {sheet!r}: expected one of {', '.join(SHEETS)}")


def render_bills(
    orders: Iterable[PrintOrder], shop: Shop, *, language: str = "vi", paper: str = "80mm"
) -> bytes:
    """Every order's bill in one PDF, in the order given."""
    bills = (bill_pdf(order, shop, language=language, paper=paper) for order in orders)
    return join_bills(bills).body


def render_shipping_notes(
    orders: Iterable[PrintOrder], shop: Shop, *, language: str = "vi", sheet: str = "a6"
) -> bytes:
    """Every order's shipping note in one PDF: an A6 page each, or four to an A4 sheet."""
    chosen = check_sheet(sheet)
    notes = (note_pdf(order, shop, language=language) for order in orders)
    return join_notes(notes, chosen).body
