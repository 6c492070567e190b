"""Small PDFs made one with pypdf: the web process's half of a PDF of many orders.

The render worker saves each order's pages as a small PDF of its own as soon as they are drawn
(`render.many`), so it never holds more than one order's pages decoded; Pillow's own multi-page
save would want every page of the batch decoded before writing the first (a byte a dot: 547
bill pages of 640 x 1600 dots are 560 MB). pypdf copies those pages into one document as they
are, compressed images included: joining decodes and draws nothing.

On an A4 sheet the label pages are placed whole, scaled by the PDF (`merge_transformed_page`),
not drawn again, so a barcode's modules stay even (a 3-dot module is 0.35 mm on the sheet).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import ContentStream

POINTS_PER_MM: Final = 72 / 25.4
A4_WIDTH_MM: Final = 210.0
A4_HEIGHT_MM: Final = 297.0
A4_MARGIN_MM: Final = 5.0
A4_SCALE: Final = 0.94  # 2 x 150 mm x 0.94 = 282 mm: 297 - 2 x 5 margins - 282 = 5 mm gutter
LABEL_WIDTH_MM: Final = 100.0
LABEL_HEIGHT_MM: Final = 150.0
LABELS_PER_SHEET: Final = 4


@dataclass(frozen=True, slots=True)
class JoinedPdf:
    body: bytes
    pages: int


def mm_to_pt(millimetres: float) -> float:
    return millimetres * POINTS_PER_MM


def pages_of(pdfs: Iterable[bytes]) -> Iterator[PageObject]:
    """Every page of every PDF, in order; each PDF is parsed only when its turn comes."""
    for pdf in pdfs:
        yield from PdfReader(io.BytesIO(pdf)).pages


def join(pdfs: Iterable[bytes]) -> JoinedPdf:
    """The pages of `pdfs` in the order given, as one PDF, each page its own size."""
    writer = PdfWriter()
    for page in pages_of(pdfs):
        writer.add_page(page)
    return _written(writer)


def four_to_a4(labels: Iterable[bytes]) -> JoinedPdf:
    """The labels (one a page) four to an A4 portrait sheet, 2 x 2 in reading order, each at
    `A4_SCALE` inside the margins, with dashed lines to cut along; the last sheet may hold
    fewer."""
    writer = PdfWriter()
    slots = a4_slots()
    for index, label in enumerate(pages_of(labels)):
        slot = index % LABELS_PER_SHEET
        if slot == 0:
            _blank_sheet(writer)
        _place(writer.pages[-1], label, *slots[slot])  # the sheet being filled
    return _written(writer)


def a4_slots() -> list[tuple[float, float]]:
    """The bottom-left corners of the four labels in points, in reading order (top left
    first)."""
    width = mm_to_pt(LABEL_WIDTH_MM * A4_SCALE)
    height = mm_to_pt(LABEL_HEIGHT_MM * A4_SCALE)
    gutter_x = mm_to_pt(A4_WIDTH_MM) - 2 * mm_to_pt(A4_MARGIN_MM) - 2 * width
    gutter_y = mm_to_pt(A4_HEIGHT_MM) - 2 * mm_to_pt(A4_MARGIN_MM) - 2 * height
    left = mm_to_pt(A4_MARGIN_MM)
    right = left + width + gutter_x
    bottom = mm_to_pt(A4_MARGIN_MM)
    top = bottom + height + gutter_y
    return [(left, top), (right, top), (left, bottom), (right, bottom)]


def _blank_sheet(writer: PdfWriter) -> None:
    """An A4 page of the writer holding only the cut lines: one down the middle and one across,
    edge to edge, thin, grey and dashed, in the gutters between the labels."""
    width, height = mm_to_pt(A4_WIDTH_MM), mm_to_pt(A4_HEIGHT_MM)
    sheet = writer.add_blank_page(width, height)
    guides = ContentStream(None, writer)
    middle_x, middle_y = f"{width / 2:.2f}", f"{height / 2:.2f}"
    guides.set_data(
        f"q 0.6 G 0.5 w [4 4] 0 d {middle_x} 0 m {middle_x} {height:.2f} l S "
        f"0 {middle_y} m {width:.2f} {middle_y} l S Q\n".encode()
    )
    sheet.replace_contents(guides)


def _place(sheet: PageObject, label: PageObject, x: float, y: float) -> None:
    """The label page scaled to its slot, its bottom-left corner at (`x`, `y`) points."""
    box = label.mediabox
    scale_x = mm_to_pt(LABEL_WIDTH_MM * A4_SCALE) / float(box.width)
    scale_y = mm_to_pt(LABEL_HEIGHT_MM * A4_SCALE) / float(box.height)
    moved = Transformation().translate(-float(box.left), -float(box.bottom))
    sheet.merge_transformed_page(label, moved.scale(scale_x, scale_y).translate(x, y))


def _written(writer: PdfWriter) -> JoinedPdf:
    if not writer.pages:
        raise ValueError("a PDF needs at least one page")
    buffer = io.BytesIO()
    writer.write(buffer)
    return JoinedPdf(buffer.getvalue(), len(writer.pages))
