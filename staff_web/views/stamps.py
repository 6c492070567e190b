"""Live refresh: tiny JSON answers that `static/app.js` polls every few seconds, so a page
shows a tap in Telegram or a carrier's webhook without anyone reloading it."""

from __future__ import annotations

from aiohttp import web

from staff_web.context import current_staff
from staff_web.views import reads
from staff_web.views.common import service, whole


async def everything(request: web.Request) -> web.Response:
    """`{"stamp": ...}`: changes whenever any order or comment changes."""
    current_staff(request)
    async with service(request).reading() as session:
        stamp = await reads.everything_stamp(session)
    return web.json_response({"stamp": stamp}, headers={"Cache-Control": "no-store"})


async def one_order(request: web.Request) -> web.Response:
    """`{"version": n, "stamp": ...}` of one order."""
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    found = None
    if order_id is not None:
        async with service(request).reading() as session:
            found = await reads.order_stamp(session, order_id)
    if found is None:
        return web.json_response({"error": "not_found"}, status=404)
    version, stamp = found
    return web.json_response(
        {"version": version, "stamp": stamp}, headers={"Cache-Control": "no-store"}
    )


async def stamp_of_everything(request: web.Request) -> str:
    async with service(request).reading() as session:
        return await reads.everything_stamp(session)


async def stamp_of_order(request: web.Request, order_id: int) -> str:
    async with service(request).reading() as session:
        found = await reads.order_stamp(session, order_id)
    return found[1] if found else ""


def add_routes(app: web.Application) -> None:
    app.router.add_get("/stamp", everything)
    app.router.add_get("/orders/{order_id}/stamp", one_order)
