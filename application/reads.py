"""The reads the bot, the staff pages and the API share, so a list means the same thing in
every interface: one page of orders with its tab counts and both cursors.

Each runs in one reader's session (`OrderService.reading`), so the rows, the counts and the
cursors describe the same moment and a screen never holds a write lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from application.services import OrderService
from application.views import OrderList
from livestream.tables import LiveSession
from orders import browse, queries
from orders.staff_directory import staff_by_id


async def order_list_in(session: AsyncSession, filters: queries.OrderFilter) -> OrderList:
    """The page of `filters` in a session the caller holds (to read its filters' rows in the
    same moment). `previous_cursor` is None on the first page and past the end."""
    found = await queries.list_orders(session, filters)
    counts = await browse.count_by_status(session, filters)
    previous = (
        await browse.previous_cursor(session, filters, found.orders[0].id)
        if found.orders and filters.cursor is not None
        else None
    )
    return OrderList(found.orders, counts, found.next_cursor, previous)


async def order_list(service: OrderService, filters: queries.OrderFilter) -> OrderList:
    async with service.reading() as session:
        return await order_list_in(session, filters)


@dataclass(frozen=True, slots=True)
class NamedList:
    """A page of orders filtered by a staff member's and a live session's row ids, with the
    names those filters show."""

    found: OrderList
    staff_name: str | None
    live_title: str | None


async def order_list_by_ids(
    service: OrderService,
    filters: queries.OrderFilter,
    *,
    staff_id: int | None = None,
    live_id: int | None = None,
) -> NamedList | None:
    """The page of `filters` narrowed to the staff row `staff_id` and the live session
    `live_id` (the chat's buttons carry row ids), read with those rows in one moment; None
    when either row is gone, so the caller says so instead of quietly listing everything."""
    async with service.reading() as session:
        staff = await staff_by_id(session, staff_id) if staff_id is not None else None
        live = await session.get(LiveSession, live_id) if live_id is not None else None
        if (staff_id is not None and staff is None) or (live_id is not None and live is None):
            return None
        narrowed = replace(
            filters,
            staff=staff.telegram_id if staff else None,
            video_id=live.video_id if live else None,
        )
        found = await order_list_in(session, narrowed)
    return NamedList(
        found,
        staff_name=staff.name if staff else None,
        live_title=(live.title or live.video_id) if live else None,
    )


async def empty_draft_count(service: OrderService, filters: queries.OrderFilter) -> int:
    """How many drafts with no line `filters` would list on the "empty drafts" tab."""
    only = replace(filters, status=None, empty_drafts="only", cursor=None)
    async with service.reading() as session:
        counts = await browse.count_by_status(session, only)
    return sum(counts.values())
