"""The stamps the staff pages' live refresh compares: short strings that change whenever what
a page shows would, so a page polls a few bytes every few seconds and reloads only when its
stamp moves. Each is read in a reader's session (`OrderService.reading`), so polling never
holds a write lock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.services import OrderService
from livestream.tables import Comment
from orders.tables import Order, OrderEvent


@dataclass(frozen=True, slots=True)
class OrderStamp:
    version: int
    stamp: str


async def everything_stamp(service: OrderService) -> str:
    """Changes whenever any order or comment does."""
    async with service.reading() as session:
        return await _everything(session)


async def order_stamp(service: OrderService, order_id: int) -> OrderStamp | None:
    """One order's version and stamp; None when there is no such order."""
    async with service.reading() as session:
        return await _order(session, order_id)


async def _everything(session: AsyncSession) -> str:
    """Versions only grow and every change of an order adds one, rows are only added, and an
    edited comment moves its `updated_at`: together they move on any change."""
    orders = (await session.execute(select(func.count(Order.id), func.sum(Order.version)))).one()
    comments = (
        await session.execute(select(func.count(Comment.id), func.max(Comment.updated_at)))
    ).one()
    events = await session.scalar(select(func.max(OrderEvent.id)))
    updated = comments[1].isoformat() if comments[1] else "-"
    return f"{orders[0]}.{orders[1] or 0}.{events or 0}.{comments[0]}.{updated}"


async def _order(session: AsyncSession, order_id: int) -> OrderStamp | None:
    """The stamp also moves on an event that changes no status (a carrier's refusal noted, a
    hand-off delivered)."""
    row = (
        await session.execute(
            select(Order.version, Order.updated_at, Order.shipment_state).where(
                Order.id == order_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    events = await session.scalar(
        select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id)
    )
    updated = row[1].isoformat() if row[1] else "-"
    return OrderStamp(int(row[0]), f"{row[0]}.{events or 0}.{updated}.{row[2] or ''}")
