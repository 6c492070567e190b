"""The Order screen (`GET /orders/{id}`): everything the bot's card shows, the event history,
and the card's buttons as small POST forms that go through the same `OrderService.act`."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from application.page_reads import live_context
from application.wording.history import history_line
from orders.errors import NotFound, OrderError, RiskyBuyer, StaleVersion
from orders.lifecycle import Action
from orders.transitions import parse_action
from orders.views import OrderRow, risky_count
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views import stamps
from staff_web.views.common import (
    actor,
    not_found,
    page,
    refusal_text,
    safe_next,
    service,
    texts,
    whole,
)

# Buttons that are links to another screen rather than a one-tap POST: `ship` needs a carrier
# or a shipper, the edits need the form.
ON_EDIT_PAGE: Final = frozenset({Action.EDIT.value, Action.SAVE_DRAFT.value, Action.SHIP.value})
# Asked twice by the browser: these cannot be undone from here.
CONFIRM: Final = frozenset(
    {Action.CANCEL.value, Action.FAILED.value, Action.RETURN.value, Action.COLLECT_COD.value}
)


def buttons(order: OrderRow) -> list[dict[str, Any]]:
    """The actions of the order's status in the card's order, each a form or a link."""
    allowed = order.allowed_actions
    shown: list[dict[str, Any]] = []
    if Action.EDIT.value in allowed:
        shown.append({"action": "edit", "href": f"/orders/{order.id}/edit"})
    for name in allowed:
        if name == Action.SHIP.value:
            shown.append({"action": name, "href": f"/orders/{order.id}/edit#ship"})
        elif name not in ON_EDIT_PAGE:
            shown.append({"action": name, "href": None, "confirm": name in CONFIRM})
    return shown


async def show(
    request: web.Request,
    order_id: int,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    risky_ask: str = "",
) -> web.Response:
    """`risky_ask`: the action a flagged buyer's order waits to have confirmed."""
    try:
        order = await service(request).detail(order_id)
    except NotFound:
        return not_found(request, "order.not_found")
    live = await live_context(service(request), order)
    language = request.app[PAGES].language
    return page(
        request,
        "order.html",
        status=status,
        order=order,
        live=live,
        risky=risky_count(order),
        buttons=buttons(order),
        history=[history_line(event, language) for event in reversed(order.events)],
        notice=notice,
        error=error,
        risky_ask=risky_ask,
        stamp_url=f"/orders/{order_id}/stamp",
        stamp=await stamps.stamp_of_order(request, order_id),
    )


async def order_page(request: web.Request) -> web.Response:
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    if order_id is None:
        return not_found(request, "order.not_found")
    done = request.query.get("done", "")
    t = texts(request)
    notice = t["order.done"].format(action=t[f"action.{done}"]) if f"action.{done}" in t else ""
    notice = t.get(f"buyer.{done}", notice) if done.endswith("flagged_saved") else notice
    notice = t.get(f"done.{done}", notice)
    return await show(request, order_id, notice=notice)


async def act(request: web.Request) -> web.Response:
    """One button: the action at the version the page showed. Stale: the fresh page says so;
    refused: the refusal in the shop's language."""
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    if order_id is None:
        return not_found(request, "order.not_found")
    form = await request.post()
    version = whole(str(form.get("version", "")))
    back = safe_next(form.get("next"), f"/orders/{order_id}")
    try:
        action = parse_action(request.match_info["action"])
        approve = str(form.get("approve_risky", "")) == "1"
        await service(request).act(
            order_id, action, actor=actor(request), version=version, approve_risky=approve
        )
    except NotFound:
        return not_found(request, "order.not_found")
    except RiskyBuyer:
        return await show(request, order_id, status=409, risky_ask=action.value)
    except StaleVersion:
        return await show(request, order_id, status=409, error=texts(request)["order.stale"])
    except OrderError as refused:
        return await show(request, order_id, status=409, error=refusal_text(request, refused))
    separator = "&" if "?" in back else "?"
    raise web.HTTPSeeOther(f"{back}{separator}done={action.value}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/orders/{order_id}", order_page, name="order")
    app.router.add_post("/orders/{order_id}/actions/{action}", act)
