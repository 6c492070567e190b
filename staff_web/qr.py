"""A VietQR payload drawn for a page: inline SVG from segno, no image request."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(payload: str, *, scale: int = 4) -> Markup:
    """The code as an `<svg>` element a template puts as it is; a banking app reads it off
    the screen, or off a photo of it."""
    code = segno.make(payload, error="m", micro=False)
    return Markup(code.svg_inline(scale=scale, border=2, dark="#000", light="#fff"))
