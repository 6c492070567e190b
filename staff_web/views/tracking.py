"""The buyer's tracking page, `GET /t/<token>`: public, no sign-in (`security.OPEN_PATHS`).

The token in the path is the only key, so the answer must not travel further than the buyer's
browser: `Cache-Control: no-store` (no proxy or shared cache keeps it), `X-Robots-Tag:
noindex` (a link pasted somewhere public is not indexed), `Referrer-Policy: no-referrer` (the
carrier's site, opened from here, does not learn the page's address). The access log masks the
token as it masks a login link's (`chotdon.log_redaction`). What the page shows is decided by
`application.tracking`; the words by `application.wording.tracking`, in `CHOTDON_LANGUAGE`.
"""

from __future__ import annotations

from aiohttp import web

from application.tracking import track
from application.wording.tracking import tracking_words
from render.formats import format_local_datetime, format_vnd
from render.strings import carrier_name
from staff_web.deps import PAGES
from staff_web.render import render
from staff_web.views.common import service

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


async def tracking_page(request: web.Request) -> web.Response:
    found = await track(service(request), request.match_info["token"])
    response = render(
        request,
        "tracking.html",
        status=200 if found is not None else 404,
        order=found,
        w=tracking_words(request.app[PAGES].language),
        vnd=format_vnd,
        when=format_local_datetime,
        carrier=carrier_name,
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/t/{token}", tracking_page)
