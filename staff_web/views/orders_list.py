"""The Orders screen (`GET /`): the seed's tabs with counts, filters by staff and live
session, a search by code, phone or name, newest first, paged by cursor both ways."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web

from application.page_reads import filter_choices
from application.parked_work import count_parked
from application.reads import order_list
from orders import browse
from orders.lifecycle import Status
from orders.queries import CONFIRMATIONS, OrderFilter
from staff_web.context import current_staff
from staff_web.views import stamps
from staff_web.views.common import page, service, whole

PAGE_SIZE: Final = 20
TABS: Final = [s.value for s in Status]  # the seed's tab order, after "All"
MAX_QUERY: Final = 100


def filters_of(request: web.Request, limit: int = PAGE_SIZE) -> OrderFilter:
    """The list's filters from the query string; anything unreadable is simply not applied."""
    query = request.query
    status = query.get("status", "")
    confirmation = query.get("confirmation", "")
    return OrderFilter(
        status=status if status in TABS else None,
        staff=whole(query.get("staff", "")),
        video_id=(query.get("video", "").strip()[:64] or None),
        q=(query.get("q", "").strip()[:MAX_QUERY] or None),
        limit=limit,
        cursor=whole(query.get("cursor", "")),
        buyer_confirmation=confirmation if confirmation in CONFIRMATIONS else None,
    )


def link(filters: OrderFilter, **changes: Any) -> str:
    """The list's URL with `filters`, some changed (None drops one)."""
    values: dict[str, Any] = {
        "status": filters.status,
        "staff": filters.staff,
        "video": filters.video_id,
        "q": filters.q,
        "cursor": None,
        "confirmation": filters.buyer_confirmation,
    }
    values.update(changes)
    kept = {k: v for k, v in values.items() if v not in (None, "", browse.NEWEST)}
    return "/?" + urlencode(kept) if kept else "/"


async def orders_list(request: web.Request) -> web.Response:
    me = current_staff(request)
    filters = filters_of(request)
    found = await order_list(service(request), filters)
    choices = await filter_choices(service(request))
    previous = None
    if found.previous_cursor is not None:
        previous = link(filters, cursor=found.previous_cursor)
    return page(
        request,
        "orders.html",
        filters=filters,
        orders=found.orders,
        counts=found.counts,
        total=sum(found.counts.values()),
        tabs=TABS,
        tab_link=lambda status: link(filters, status=status),
        next_link=link(filters, cursor=found.next_cursor) if found.next_cursor else None,
        previous_link=previous,
        staff_choices=choices.staff,
        live_choices=choices.lives,
        confirmations=CONFIRMATIONS,
        stamp_url="/stamp",
        stamp=await stamps.stamp_of_everything(request),
        parked=await _parked(request) if me.is_manager else 0,
    )


async def _parked(request: web.Request) -> int:
    """Managers see at the top of the list when something waits for a person."""
    return await count_parked(service(request))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", orders_list, name="orders")
