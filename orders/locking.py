"""Taking an order's row for the rest of the transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.errors import NotFound, Reason
from orders.tables import Order


async def lock_order(session: AsyncSession, order_id: int) -> Order:
    """Load the order and hold its row until commit (PostgreSQL; SQLite locks the whole file)."""
    order = await session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(Reason.NO_ORDER, order=order_id)
    return order
