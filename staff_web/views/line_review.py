"""Accept a line the comment reading marked for checking (`POST
/orders/{id}/lines/{line_id}/accept`), from the order page: the same use case as the bot's
button (`application.line_review`), at the version the page showed."""

from __future__ import annotations

from aiohttp import web

from application.line_review import accept_line
from orders.errors import NotFound, OrderError, StaleVersion
from staff_web.context import current_staff
from staff_web.views import order_page
from staff_web.views.common import actor, not_found, refusal_text, safe_next, service, texts, whole


async def accept(request: web.Request) -> web.Response:
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    line_id = whole(request.match_info["line_id"])
    if order_id is None or line_id is None:
        return not_found(request, "order.not_found")
    form = await request.post()
    version = whole(str(form.get("version", "")))
    back = safe_next(form.get("next"), f"/orders/{order_id}")
    t = texts(request)
    try:
        done = await accept_line(
            service(request), order_id, line_id, actor=actor(request), version=version
        )
    except NotFound:
        return not_found(request, "order.not_found")
    except StaleVersion:
        return await order_page.show(request, order_id, status=409, error=t["order.stale"])
    except OrderError as refused:
        error = refusal_text(request, refused)
        return await order_page.show(request, order_id, status=409, error=error)
    if done is None:
        return await order_page.show(request, order_id, status=409, error=t["review.not_found"])
    separator = "&" if "?" in back else "?"
    raise web.HTTPSeeOther(f"{back}{separator}done=accept_line")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/orders/{order_id}/lines/{line_id}/accept", accept)
