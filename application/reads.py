"""The reads the bot, the staff pages and the API share, so a list means the same thing in
every interface: one page of orders with its tab counts and both cursors.

Each runs in one reader's session (`OrderService.reading`), so the rows, the counts and the
cursors describe the same moment and a screen never holds a write lock.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from application.services import OrderService
from application.views import OrderList
from orders import browse, queries


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
