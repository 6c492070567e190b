"""Many bills or many shipping notes in one PDF, each drawn once (`render.pdf` joins them).

Bills: every bill starts on a page of its own, in the order given, as wide as its roll (80 or
58 mm). A page is at most 200 mm long, as a single bill's PDF (`render.bill`); a longer bill
continues on the next page, cut between blocks as there. Unlike a single bill's PDF, each
bill's last page ends with its content: on a roll with a cutter every page is cut off, and a
short bill on a fixed 200 mm page would feed up to 15 cm of blank paper, 300 times over. A
driver set to a fixed page length still prints it whole (a shorter page fits inside).

Shipping notes: an A6 label (100 x 150 mm) is drawn once, then either is a page of its own
(`a6`, for label printers) or one of four on an A4 portrait sheet (`a4`, 2 x 2, for office
printers). Four whole A6 labels are 200 x 300 mm, 3 mm longer than A4 and with no room for a
printer's unprintable edge, so on A4 each is placed at `A4_SCALE` (94 x 141 mm) inside 5 mm
margins, with dashed guides to cut along. The PDF scales the placed image; nothing is drawn
again and the barcodes' modules stay even (a 3-dot module is 0.35 mm on the sheet).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Literal

from render.bill import PDF_PAGE_HEIGHT_MM, bill_paper, build_bill
from render.document import PrintOrder, Shop
from render.output import mm_to_px, on_paper
from render.pdf import Guide, PdfImage, PdfPage, Placement, mm_to_pt, pdf_document
from render.shipping_note import HEIGHT, layout_note
from render.strings import labels

Sheet = Literal["a6", "a4"]
SHEETS: Final[tuple[Sheet, ...]] = ("a6", "a4")

A4_WIDTH_MM: Final = 210.0
A4_HEIGHT_MM: Final = 297.0
A4_MARGIN_MM: Final = 5.0
A4_SCALE: Final = 0.94  # 2 x 150 mm x 0.94 = 282 mm: 297 - 2 x 5 margins - 282 = 5 mm gutter
LABEL_WIDTH_MM: Final = 100.0
LABEL_HEIGHT_MM: Final = 150.0


def bill_images(order: PrintOrder, shop: Shop, *, language: str, paper: str) -> list[PdfImage]:
    """One bill's pages, compressed as soon as each is cut (see the module docstring)."""
    spec = bill_paper(paper)
    flow = build_bill(order, shop, labels(language), spec)
    pages = flow.pages(mm_to_px(PDF_PAGE_HEIGHT_MM), trim_last=True)
    return [PdfImage.of(on_paper(page, spec.paper_width_px)) for page in pages]


def note_image(order: PrintOrder, shop: Shop, *, language: str) -> PdfImage:
    """One A6 label, 800 x 1200 dots."""
    return PdfImage.of(layout_note(order, shop, labels(language)).render(height=HEIGHT))


def bill_pages(bills: Iterable[Sequence[PdfImage]]) -> Iterator[PdfPage]:
    for pages in bills:
        for image in pages:
            yield PdfPage.of_image(image)


def _a4_slots() -> list[tuple[float, float]]:
    """The bottom-left corners of the four labels, in reading order (top left first)."""
    width = mm_to_pt(LABEL_WIDTH_MM * A4_SCALE)
    height = mm_to_pt(LABEL_HEIGHT_MM * A4_SCALE)
    gutter_x = mm_to_pt(A4_WIDTH_MM) - 2 * mm_to_pt(A4_MARGIN_MM) - 2 * width
    gutter_y = mm_to_pt(A4_HEIGHT_MM) - 2 * mm_to_pt(A4_MARGIN_MM) - 2 * height
    left = mm_to_pt(A4_MARGIN_MM)
    right = left + width + gutter_x
    bottom = mm_to_pt(A4_MARGIN_MM)
    top = bottom + height + gutter_y
    return [(left, top), (right, top), (left, bottom), (right, bottom)]


def _a4_guides() -> tuple[Guide, ...]:
    """A cut line down the middle and one across, from edge to edge of the sheet."""
    width, height = mm_to_pt(A4_WIDTH_MM), mm_to_pt(A4_HEIGHT_MM)
    return (Guide(width / 2, 0, width / 2, height), Guide(0, height / 2, width, height / 2))


def note_pages(notes: Iterable[PdfImage], sheet: Sheet) -> Iterator[PdfPage]:
    if sheet == "a6":
        for image in notes:
            yield PdfPage.of_image(image)
        return
    slots = _a4_slots()
    width = mm_to_pt(LABEL_WIDTH_MM * A4_SCALE)
    height = mm_to_pt(LABEL_HEIGHT_MM * A4_SCALE)
    placed: list[Placement] = []
    for image in notes:
        x, y = slots[len(placed)]
        placed.append(Placement(image, x, y, width, height))
        if len(placed) == len(slots):
            yield _a4_sheet(placed)
            placed = []
    if placed:
        yield _a4_sheet(placed)


def _a4_sheet(placed: Sequence[Placement]) -> PdfPage:
    return PdfPage(mm_to_pt(A4_WIDTH_MM), mm_to_pt(A4_HEIGHT_MM), tuple(placed), _a4_guides())


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
    bills = (bill_images(order, shop, language=language, paper=paper) for order in orders)
    return pdf_document(bill_pages(bills))


def render_shipping_notes(
    orders: Iterable[PrintOrder], shop: Shop, *, language: str = "vi", sheet: str = "a6"
) -> bytes:
    """Every order's shipping note in one PDF: an A6 page each, or four to an A4 sheet."""
    chosen = check_sheet(sheet)
    notes = (note_image(order, shop, language=language) for order in orders)
    return pdf_document(note_pages(notes, chosen))
