"""Reading orders the way staff browse them in the chat: counts per status for the tab bar,
the cursor of the page before, and an order by the code staff read out.

`queries.list_orders` pages forward by keyset (ids below a cursor). Going back needs no state
carried in a button: the page before is the `limit` matching orders just newer than the
current page's first, so its cursor is one above the newest of them, computed when the page is
drawn. Narrowing is the same as `list_orders`', so counts and pages never disagree.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.queries import OrderFilter, narrowed
from orders.tables import Order

NEWEST = 0  # the cursor of the first page: no upper bound


async def count_by_status(session: AsyncSession, filters: OrderFilter) -> dict[str, int]:
    """How many orders each status holds under `filters` (whose own status is ignored: the
    counts are for every tab). Statuses with no order are absent."""
    query = narrowed(
        select(Order.status, func.count(Order.id)).select_from(Order), filters, by_status=False
    )
    rows = await session.execute(query.group_by(Order.status))
    return {status: int(count) for status, count in rows.all()}


async def previous_cursor(session: AsyncSession, filters: OrderFilter, first_id: int) -> int | None:
    """The cursor of the page before the one whose newest order is `first_id`: None when no
    matching order is newer, `NEWEST` when the newer ones fit on the first page."""
    query = narrowed(select(Order.id), filters).where(Order.id > first_id)
    newer = list(await session.scalars(query.order_by(Order.id.asc()).limit(filters.limit + 1)))
    if not newer:
        return None
    if len(newer) <= filters.limit:
        return NEWEST
    return newer[filters.limit - 1] + 1


async def order_id_by_code(session: AsyncSession, code: str) -> int | None:
    """The order staff name by its code (any case), or by `#id` as a card without a code
    shows it."""
    text = code.strip()
    if text.startswith("#") and text[1:].isdigit() and text[1:].isascii():
        return await session.scalar(select(Order.id).where(Order.id == int(text[1:])))
    if not text:
        return None
    return await session.scalar(select(Order.id).where(Order.code == text.upper()))
