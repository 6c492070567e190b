"""The Orders screen (`GET /`): the seed's tabs with counts, filters by staff and live
session, a search by code, phone or name, newest first, paged by cursor both ways; and the
same list as an Excel file (`GET /orders.xlsx` with the list's query string)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web

from application.batch import MAX_IDS
from application.orders_xlsx import MEDIA_TYPE, orders_workbook
from application.page_reads import filter_choices
from application.parked_work import count_parked
from application.reads import empty_draft_count, order_list
from orders import browse
from orders.lifecycle import Status
from orders.queries import CONFIRMATIONS, PAYMENT_FILTERS, OrderFilter
from orders.shipper_kinds import INDIVIDUAL
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views import stamps
from staff_web.views.common import page, service, texts, whole

PAGE_SIZE: Final = 20
TABS: Final = [s.value for s in Status]  # the seed's tab order, after "All"
MAX_QUERY: Final = 100
EMPTY_ONLY: Final = "only"  # `?empty=only`: the "empty drafts" tab


def filters_of(request: web.Request, limit: int = PAGE_SIZE) -> OrderFilter:
    """The list's filters from the query string; anything unreadable is simply not applied."""
    return filters_from(request.query, limit)


def filters_from(query: Mapping[str, Any], limit: int = PAGE_SIZE) -> OrderFilter:
    """The list's filters from a query string or a form (the selection bar carries the tab's
    filters, so "all of this tab" means every matching order, not the ids of one page).
    Drafts with no line are left out unless the "empty drafts" tab asks for them alone."""
    query = {key: str(value) for key, value in query.items()}
    status = query.get("status", "")
    confirmation = query.get("confirmation", "")
    payment = query.get("payment", "")
    return OrderFilter(
        status=status if status in TABS else None,
        staff=whole(query.get("staff", "")),
        video_id=(query.get("video", "").strip()[:64] or None),
        q=(query.get("q", "").strip()[:MAX_QUERY] or None),
        limit=limit,
        cursor=whole(query.get("cursor", "")),
        buyer_confirmation=confirmation if confirmation in CONFIRMATIONS else None,
        payment=payment if payment in PAYMENT_FILTERS else None,
        empty_drafts=EMPTY_ONLY if query.get("empty", "") == EMPTY_ONLY else "hide",
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
        "payment": filters.payment,
        "empty": EMPTY_ONLY if filters.empty_drafts == EMPTY_ONLY else None,
    }
    values.update(changes)
    kept = {k: v for k, v in values.items() if v not in (None, "", browse.NEWEST)}
    return "/?" + urlencode(kept) if kept else "/"


def xlsx_link(filters: OrderFilter) -> str:
    """The Excel file of the list `filters` show: every page of the tab, not just this one."""
    query = link(filters).partition("?")[2]
    return f"/orders.xlsx?{query}" if query else "/orders.xlsx"


async def orders_list(request: web.Request) -> web.Response:
    me = current_staff(request)
    filters = filters_of(request)
    found = await order_list(service(request), filters)
    choices = await filter_choices(service(request))
    empty = await empty_draft_count(service(request), filters)
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
        tab_link=lambda status: link(filters, status=status, empty=None),
        empty_count=empty,
        empty_link=link(filters, status=None, empty=EMPTY_ONLY),
        in_tab=_in_tab(filters, found.counts, empty),
        batch_error=_batch_error(request),
        carriers=[*request.app[PAGES].shipping, INDIVIDUAL],
        max_batch=MAX_IDS,
        next_link=link(filters, cursor=found.next_cursor) if found.next_cursor else None,
        previous_link=previous,
        staff_choices=choices.staff,
        live_choices=choices.lives,
        confirmations=CONFIRMATIONS,
        payment_filters=PAYMENT_FILTERS,
        stamp_url="/stamp",
        xlsx_link=xlsx_link(filters),
        stamp=await stamps.stamp_of_everything(request),
        parked=await _parked(request) if me.is_manager else 0,
    )


def _in_tab(filters: OrderFilter, counts: Mapping[str, int], empty: int) -> int:
    """How many orders "select all in this tab" takes."""
    if filters.empty_drafts == EMPTY_ONLY:
        return empty
    return counts.get(filters.status, 0) if filters.status else sum(counts.values())


def _batch_error(request: web.Request) -> str:
    """Why the selection bar sent staff back (a key of ours, never text from the URL)."""
    key = request.query.get("batch_error", "")
    t = texts(request)
    words = t.get(f"batch.error.{key}", "") if key.isascii() and key.isalpha() else ""
    return words.format(limit=MAX_IDS)


async def _parked(request: web.Request) -> int:
    """Managers see at the top of the list when something waits for a person."""
    return await count_parked(service(request))


async def orders_xlsx(request: web.Request) -> web.Response:
    """Every order of the list's tab and filters, as the Excel file `application.orders_xlsx`
    writes, in the shop's language."""
    filters = filters_of(request)
    book = await orders_workbook(service(request), filters, request.app[PAGES].language)
    return web.Response(
        body=book.data,
        headers={
            "Content-Type": MEDIA_TYPE,
            "Content-Disposition": f'attachment; filename="{book.filename}"',
            "Cache-Control": "no-store",
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", orders_list, name="orders")
    app.router.add_get("/orders.xlsx", orders_xlsx, name="orders_xlsx")
