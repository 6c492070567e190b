"""`/favicon.ico`: browsers ask for it on every site whatever the page says, and a 404 (or a
sign-in redirect) for it fills logs and leaves the tab without an icon. The pages name the SVG
in `static/` (`<link rel=icon>`); this is the same shopping bag as an ICO for the browsers and
bookmarks that only take that, drawn with Pillow once, on the first request."""

from __future__ import annotations

import io
from functools import cache
from typing import Final

from aiohttp import web
from PIL import Image, ImageDraw

BLUE: Final = (26, 95, 180, 255)
GREEN: Final = (31, 122, 61, 255)
WHITE: Final = (255, 255, 255, 255)
SIZES: Final = ((16, 16), (32, 32), (48, 48))
CACHE_SECONDS: Final = 7 * 24 * 3600


@cache
def icon_bytes() -> bytes:
    """The bag of `static/favicon.svg` on a 64 px grid, drawn at 4x and scaled down."""
    scale = 4
    image = Image.new("RGBA", (64 * scale, 64 * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def at(*points: float) -> list[float]:
        return [p * scale for p in points]

    draw.rounded_rectangle(at(2, 2, 62, 62), radius=14 * scale, fill=BLUE)
    draw.arc(at(24, 14, 40, 30), start=180, end=360, fill=WHITE, width=5 * scale)
    draw.line(at(24, 22, 24, 27), fill=WHITE, width=5 * scale)
    draw.line(at(40, 22, 40, 27), fill=WHITE, width=5 * scale)
    draw.polygon(at(15, 25, 49, 25, 46, 52, 18, 52), fill=WHITE)
    draw.ellipse(at(27, 33, 37, 43), fill=GREEN)
    out = io.BytesIO()
    image.resize((48, 48), Image.Resampling.LANCZOS).save(out, format="ICO", sizes=list(SIZES))
    return out.getvalue()


async def favicon(_request: web.Request) -> web.Response:
    return web.Response(
        body=icon_bytes(),
        content_type="image/x-icon",
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/favicon.ico", favicon)
