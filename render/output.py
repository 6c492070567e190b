"""Encoding finished pages: 1-bit PNG for the printers, PDF with the paper's true size.

Thermal printers have 8 dots per millimetre (the "203 dpi" is really 203.2): at that
resolution 80 mm paper is 640 px, 58 mm is 464 px and an A6 label of 100 x 150 mm is
800 x 1200 px, so PDF pages come out exactly the paper's size.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

from PIL import Image

DOTS_PER_MM: Final = 8
DPI: Final = 25.4 * DOTS_PER_MM
FORMATS: Final = ("png", "pdf")


def mm_to_px(millimetres: float) -> int:
    return round(millimetres * DOTS_PER_MM)


def check_format(fmt: str) -> str:
    """The format in lower case; an unknown one fails before any drawing is done."""
    normalised = (fmt or "").strip().lower()
    if normalised not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return normalised


def one_bit(image: Image.Image) -> Image.Image:
    """Black or white at a fixed threshold, no dithering: what a thermal head prints anyway,
    decided here so that text edges stay clean and barcodes stay sharp. A 1-bit PNG is also a
    fraction of the size of a grayscale one."""
    return image if image.mode == "1" else image.convert("1", dither=Image.Dither.NONE)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # zlib's fastest level: a third of the default's time, and a 1-bit label still weighs
    # about 15 KB instead of 12 KB.
    one_bit(image).save(buffer, "PNG", dpi=(DPI, DPI), compress_level=1)
    return buffer.getvalue()


def on_paper(page: Image.Image, paper_width_px: int) -> Image.Image:
    """The printable area centred on the full paper width: an 80 mm roll prints 72 mm."""
    page = one_bit(page)
    if page.width == paper_width_px:
        return page
    if page.width > paper_width_px:
        raise ValueError(f"a {page.width} px page is wider than the {paper_width_px} px paper")
    paper = Image.new("1", (paper_width_px, page.height), 255)
    paper.paste(page, ((paper_width_px - page.width) // 2, 0))
    return paper


def pdf_bytes(pages: Sequence[Image.Image], *, paper_width_px: int) -> bytes:
    """One PDF page per image, each `paper_width_px` wide at 8 dots/mm. 1-bit pages are stored
    losslessly (CCITT G4), so barcodes survive the PDF."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    sheets = [on_paper(page, paper_width_px) for page in pages]
    buffer = io.BytesIO()
    sheets[0].save(buffer, "PDF", resolution=DPI, save_all=True, append_images=sheets[1:])
    return buffer.getvalue()
