"""Code128 barcodes and QR codes as 1-bit images whose every module is whole pixels.

Thermal print heads fire whole dots: a module of 2.5 px would print as 2 or 3 dots at random
and scanners would misread the bar widths. So modules are integers, drawn without antialias,
with the quiet zones the symbologies require.
"""

from __future__ import annotations

from typing import Final

import barcode
import segno
from barcode.errors import IllegalCharacterError
from PIL import Image, ImageOps

CODE128_QUIET_MODULES: Final = 10  # the minimum quiet zone of Code128
QR_QUIET_MODULES: Final = 4  # the quiet zone QR requires


def code128_modules(data: str) -> str:
    """The symbol as a string of '1' (bar) and '0' (space) modules, quiet zones excluded."""
    return barcode.get("code128", data).build()[0]


def _bitmap(rows: list[bytes], width: int, scale: int) -> Image.Image:
    """Rows of 0 (dark) / 255 (light) bytes, each source pixel scaled to `scale` x `scale`."""
    small = Image.frombytes("L", (width, len(rows)), b"".join(rows))
    big = small.resize((width * scale, len(rows) * scale), Image.Resampling.NEAREST)
    return big.convert("1", dither=Image.Dither.NONE)


def code128_image(
    data: str, *, max_width: int, height: int, max_module_px: int = 2
) -> Image.Image | None:
    """The widest barcode up to `max_module_px` per module that fits `max_width`, quiet zones
    included; None when even 1 px modules do not fit, or the code is empty or has characters
    Code128 cannot carry (the code is still printed as text)."""
    if not data:
        return None
    try:
        modules = code128_modules(data)
    except IllegalCharacterError:
        return None
    total = len(modules) + 2 * CODE128_QUIET_MODULES
    fitting = [px for px in range(max_module_px, 0, -1) if total * px <= max_width]
    if not fitting:
        return None
    module_px = fitting[0]
    quiet = "0" * CODE128_QUIET_MODULES
    row = bytes(0 if module == "1" else 255 for module in quiet + modules + quiet)
    line = _bitmap([row], total, module_px)
    return line.resize((line.width, height), Image.Resampling.NEAREST)


QR_MASK: Final = 0


def qr_code(data: str) -> segno.QRCode:
    """A full QR code (never a Micro QR, which phone cameras do not read) at level M, which
    survives a smudged or creased print. Every one of the eight masks is valid and read by any
    decoder; choosing one spares segno scoring all eight, a quarter of a shipping note's
    drawing time beyond its text."""
    return segno.make_qr(data, error="m", mask=QR_MASK)


def qr_image(data: str, *, max_size: int, max_scale: int = 6) -> Image.Image:
    """The QR code at the largest whole-pixel scale up to `max_scale` that fits a square of
    `max_size`, with its 4-module quiet zone; never below 2 px per module, which the printers
    still resolve."""
    code = qr_code(data)
    matrix = code.matrix
    side = len(matrix)
    scale = max(2, min(max_scale, max_size // (side + 2 * QR_QUIET_MODULES)))
    rows = [bytes(0 if dark else 255 for dark in row) for row in matrix]
    symbol = _bitmap(rows, side, scale)
    return ImageOps.expand(symbol, border=QR_QUIET_MODULES * scale, fill=255)
