"""Reading many orders for printing at once: their rows and weights in two queries.

A PDF of 300 bills read order by order would be 900 queries; here the rows come in one (the
lines by one `selectin` more) and the weights in one grouped sum. Rows only, no history:
printing shows none of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.tables import Item, Order, OrderLine
from orders.views import OrderRow, order_row


async def existing_ids(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    """Which of `ids` are orders."""
    if not ids:
        return set()
    found = await session.scalars(select(Order.id).where(Order.id.in_(set(ids))))
    return set(found.all())


async def printable_rows(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[OrderRow, int]]:
    """Each order of `ids` that exists, by id: its row and its weight in grams (as
    `orders.queries.order_weight_g` counts it: sold lines of known items)."""
    wanted = set(ids)
    if not wanted:
        return {}
    orders = (await session.scalars(select(Order).where(Order.id.in_(wanted)))).unique().all()
    weights = await session.execute(
        select(OrderLine.order_id, func.coalesce(func.sum(Item.weight_g * OrderLine.quantity), 0))
        .join(Item, OrderLine.item_id == Item.id)
        .where(OrderLine.order_id.in_(wanted), OrderLine.waitlisted.is_(False))
        .group_by(OrderLine.order_id)
    )
    grams = {order_id: int(total or 0) for order_id, total in weights.all()}
    return {order.id: (order_row(order), grams.get(order.id, 0)) for order in orders}
