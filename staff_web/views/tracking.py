"""The buyer's tracking page, `GET /t/<token>`: public, no sign-in (`security.OPEN_PATHS`).

The token in the path is the only key, so the answer must not travel further than the buyer's
browser: `Cache-Control: no-store` (no proxy or shared cache keeps it), `X-Robots-Tag:
noindex` (a link pasted somewhere public is not indexed), `Referrer-Policy: no-referrer` (the
carrier's site, opened from here, does not learn the page's address). The access log masks the
token as it masks a login link's (`chotdon.log_redaction`). What the page shows is decided by
`application.tracking`; the words by `application.wording.tracking`, in `CHOTDON_LANGUAGE`.

When the order asks money by bank transfer and the shop's account is set (`CHOTDON_BANK_*`),
the page shows the VietQR code, and `GET /t/<token>/vietqr.png` serves the same code as a PNG
(what the Messenger answer to a buyer's confirm attaches by URL); 404 when nothing is asked.
"""

from __future__ import annotations

import io

import segno
from aiohttp import web

from application.tracking import track
from application.wording.tracking import tracking_words
from render.formats import format_local_datetime, format_vnd
from render.strings import carrier_name
from staff_web.deps import PAGES
from staff_web.qr import qr_svg
from staff_web.render import render
from staff_web.views.common import service

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}
# 8 px modules: a version 5-7 code is 360-424 px square with its quiet zone, sharp in a chat
# bubble and readable by a banking app from a screenshot.
PNG_SCALE = 8
PNG_BORDER = 4


async def tracking_page(request: web.Request) -> web.Response:
    pages = request.app[PAGES]
    found = await track(service(request), request.match_info["token"], pages.printing.shop.bank)
    response = render(
        request,
        "tracking.html",
        status=200 if found is not None else 404,
        order=found,
        w=tracking_words(request.app[PAGES].language),
        vnd=format_vnd,
        when=format_local_datetime,
        carrier=carrier_name,
        qr=qr_svg,
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


async def vietqr_png(request: web.Request) -> web.Response:
    """The order's VietQR code as a PNG; 404 (plain text, private like the page) for a token
    no order has, or an order that asks nothing by transfer (or no bank account set)."""
    pages = request.app[PAGES]
    found = await track(service(request), request.match_info["token"], pages.printing.shop.bank)
    if found is None or found.transfer is None:
        response = web.Response(status=404, text="404: Not Found")
    else:
        response = web.Response(body=vietqr_image(found.transfer.payload), content_type="image/png")
    response.headers.update(PRIVATE_HEADERS)
    return response


def vietqr_image(payload: str) -> bytes:
    """A full QR code (never Micro QR) at level M, as `staff_web.qr.qr_svg` draws it."""
    buffer = io.BytesIO()
    code = segno.make(payload, error="m", micro=False)
    code.save(buffer, kind="png", scale=PNG_SCALE, border=PNG_BORDER)
    return buffer.getvalue()


def add_routes(app: web.Application) -> None:
    app.router.add_get("/t/{token}", tracking_page)
    app.router.add_get("/t/{token}/vietqr.png", vietqr_png)
