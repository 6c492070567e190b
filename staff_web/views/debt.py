"""The COD debt screen (`GET /debt`): what each carrier and individual shipper collected from
buyers and still owes, with the orders behind it; each order's Collect COD button posts the
same action as the card's, and comes back here."""

from __future__ import annotations

from aiohttp import web

from application.page_reads import order_versions
from staff_web.context import current_staff
from staff_web.views import stamps
from staff_web.views.common import page, service, texts


async def debt_page(request: web.Request) -> web.Response:
    current_staff(request)
    debts = await service(request).debts()
    ids = [order_id for debt in debts for order_id in debt.order_ids]
    t = texts(request)
    done = request.query.get("done", "")
    notice = t["order.done"].format(action=t[f"action.{done}"]) if f"action.{done}" in t else ""
    return page(
        request,
        "debt.html",
        debts=debts,
        versions=await order_versions(service(request), ids),
        notice=notice,
        stamp_url="/stamp",
        stamp=await stamps.stamp_of_everything(request),
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/debt", debt_page)
