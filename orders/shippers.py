"""The individual shippers a shop used lately, so staff pick one instead of typing them again."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.shipper_kinds import INDIVIDUAL
from orders.tables import Order


async def recent_shippers(session: AsyncSession, limit: int = 10) -> list[tuple[str, str]]:
    """(name, phone) of the individual shippers of the latest orders, one per phone, the most
    recently used first; ties on time go by phone so the list is the same for every reader."""
    last_used = func.max(Order.updated_at).label("last_used")
    query = (
        select(Order.shipper_phone, func.max(Order.shipper_name), last_used)
        .where(Order.shipper_kind == INDIVIDUAL, Order.shipper_phone != "")
        .group_by(Order.shipper_phone)
        .order_by(last_used.desc(), Order.shipper_phone)
        .limit(limit)
    )
    return [(str(name or ""), str(phone)) for phone, name, _ in await session.execute(query)]
