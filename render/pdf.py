"""One PDF of many pages, assembled from pages drawn one at a time.

Pillow's own multi-page save (`save(..., save_all=True, append_images=[...])`, used for a single
order's PDF in `render.output`) wants every page as a decoded image before it writes the first
one, and Pillow keeps a 1-bit image at a byte per pixel: 300 bills of two 80 x 200 mm pages are
600 MB in the render worker before a byte is written. Here each page is compressed as soon as
it is drawn (`PdfImage.of`: the image's packed rows, 1 bit per pixel, through zlib; a blank
thermal page is mostly runs of white that deflate to almost nothing) and the drawing is
dropped, so memory grows with the compressed PDF (about 10-20 KB a page), not with the pages.

The pieces are plain bytes and numbers, so the render worker can draw the images and the web
process can place them on sheets (an A6 label a page, or four to an A4 sheet) and join them
without drawing anything. The writer is the smallest PDF 1.4 that viewers, browsers and print
drivers take: a catalog, a page tree, and per page one content stream placing image XObjects
(DeviceGray, 1 bit per component, FlateDecode), with a cross-reference table.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from PIL import Image

from render.output import DPI, one_bit

POINTS_PER_INCH: Final = 72.0
POINTS_PER_MM: Final = POINTS_PER_INCH / 25.4
# On a label: level 1 took 1.0 ms for 10.7 KB, level 6 2.3 ms for 9.1 KB, level 9 17.7 ms for
# 8.9 KB (packing the rows, `tobytes`, costs another 4 ms whatever the level).
ZLIB_LEVEL: Final = 6


def px_to_pt(pixels: float) -> float:
    """Printer dots (8 a millimetre) to PDF points: the image keeps its true size on paper."""
    return pixels * POINTS_PER_INCH / DPI


def mm_to_pt(millimetres: float) -> float:
    return millimetres * POINTS_PER_MM


@dataclass(frozen=True, slots=True)
class PdfImage:
    """A 1-bit image as a PDF image stream: rows packed 8 pixels a byte, 1 = white (Pillow's
    "1" mode and PDF's DeviceGray agree), deflated."""

    width: int
    height: int
    data: bytes

    @classmethod
    def of(cls, image: Image.Image) -> PdfImage:
        page = one_bit(image)
        return cls(page.width, page.height, zlib.compress(page.tobytes(), ZLIB_LEVEL))


@dataclass(frozen=True, slots=True)
class Placement:
    """An image drawn at (`x`, `y`), its bottom-left corner, `width` x `height` points."""

    image: PdfImage
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Guide:
    """A thin dashed line (where to cut an A4 sheet of labels), in points."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True, slots=True)
class PdfPage:
    width: float  # points
    height: float
    placements: tuple[Placement, ...]
    guides: tuple[Guide, ...] = ()

    @classmethod
    def of_image(cls, image: PdfImage) -> PdfPage:
        """A page exactly the image's size on paper (an A6 label, a bill's page)."""
        width, height = px_to_pt(image.width), px_to_pt(image.height)
        return cls(width, height, (Placement(image, 0, 0, width, height),))


def _number(value: float) -> bytes:
    return f"{value:.3f}".rstrip("0").rstrip(".").encode()


def _contents(page: PdfPage) -> bytes:
    ops = []
    for index, placed in enumerate(page.placements):
        matrix = b" ".join(
            _number(v) for v in (placed.width, 0, 0, placed.height, placed.x, placed.y)
        )
        ops.append(b"q " + matrix + b" cm /I%d Do Q" % index)
    if page.guides:
        ops.append(b"q 0.6 G 0.5 w [4 4] 0 d")
        for guide in page.guides:
            ends = (guide.x1, guide.y1, guide.x2, guide.y2)
            x1, y1, x2, y2 = (_number(v) for v in ends)
            ops.append(b"%s %s m %s %s l S" % (x1, y1, x2, y2))
        ops.append(b"Q")
    return b"\n".join(ops) + b"\n"


class _Writer:
    """Objects written in order, their offsets kept for the cross-reference table."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.offsets: dict[int, int] = {}
        self.next_id = 3  # 1: the catalog, 2: the page tree, both written last
        self.out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n" % number)
        if stream is None:
            self.out.write(body + b"\nendobj\n")
            return
        self.out.write(body[:-2] + b" /Length %d >>\nstream\n" % len(stream))
        self.out.write(stream + b"\nendstream\nendobj\n")

    def image(self, image: PdfImage) -> int:
        number = self.new_id()
        header = (
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 1 /Filter /FlateDecode >>" % (image.width, image.height)
        )
        self.object(number, header, image.data)
        return number

    def page(self, page: PdfPage) -> int:
        images = [self.image(placed.image) for placed in page.placements]
        contents = self.new_id()
        self.object(contents, b"<< >>", _contents(page))
        number = self.new_id()
        xobjects = b" ".join(b"/I%d %d 0 R" % (i, ref) for i, ref in enumerate(images))
        box = b"[0 0 %s %s]" % (_number(page.width), _number(page.height))
        self.object(
            number,
            b"<< /Type /Page /Parent 2 0 R /MediaBox " + box + b" /Resources << /ProcSet "
            b"[/PDF /ImageB] /XObject << " + xobjects + b" >> >> /Contents %d 0 R >>" % contents,
        )
        return number

    def finish(self, page_ids: Sequence[int]) -> bytes:
        kids = b" ".join(b"%d 0 R" % number for number in page_ids)
        self.object(2, b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids))
        self.object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        xref = self.out.tell()
        count = self.next_id
        self.out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for number in range(1, count):
            self.out.write(b"%010d 00000 n \n" % self.offsets[number])
        trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        self.out.write(trailer % (count, xref))
        return self.out.getvalue()


def pdf_document(pages: Iterable[PdfPage]) -> bytes:
    """The pages in the order given, as one PDF."""
    writer = _Writer()
    page_ids = [writer.page(page) for page in pages]
    if not page_ids:
        raise ValueError("a PDF needs at least one page")
    return writer.finish(page_ids)
