"""Live refresh: tiny JSON answers that `static/app.js` polls every few seconds, so a page
shows a tap in Telegram or a carrier's webhook without anyone reloading it."""

from __future__ import annotations

from aiohttp import web

from application import stamps
from staff_web.context import current_staff
from staff_web.views.common import service, whole


async def everything(request: web.Request) -> web.Response:
    """`{"stamp": ...}`: changes whenever any order or comment changes."""
    current_staff(request)
    stamp = await stamps.everything_stamp(service(request))
    return web.json_response({"stamp": stamp}, headers={"Cache-Control": "no-store"})


async def one_order(request: web.Request) -> web.Response:
    """`{"version": n, "stamp": ...}` of one order."""
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    found = None
    if order_id is not None:
        found = await stamps.order_stamp(service(request), order_id)
    if found is None:
        return web.json_response({"error": "not_found"}, status=404)
    return web.json_response(
        {"version": found.version, "stamp": found.stamp}, headers={"Cache-Control": "no-store"}
    )


async def stamp_of_everything(request: web.Request) -> str:
    return await stamps.everything_stamp(service(request))


async def stamp_of_order(request: web.Request, order_id: int) -> str:
    found = await stamps.order_stamp(service(request), order_id)
    return found.stamp if found else ""


def add_routes(app: web.Application) -> None:
    app.router.add_get("/stamp", everything)
    app.router.add_get("/orders/{order_id}/stamp", one_order)
