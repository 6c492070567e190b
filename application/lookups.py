"""The small reads the chat and the pages make while answering a tap, a command or a form: an
order by its code, the names of some items, the shippers staff used lately. Each is a reader's
session of its own (`OrderService.reading`), so none holds a write lock."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from application.services import OrderService
from orders import browse, shippers
from orders.tables import Item


async def order_id_by_code(service: OrderService, code: str) -> int | None:
    """The order with this code (as staff type it); None when there is none."""
    async with service.reading() as session:
        return await browse.order_id_by_code(session, code)


async def item_names(service: OrderService, skus: Iterable[str]) -> dict[str, str]:
    """The catalog's name of each of `skus` it has, by SKU."""
    wanted = set(skus)
    if not wanted:
        return {}
    async with service.reading() as session:
        rows = await session.execute(select(Item.sku, Item.name).where(Item.sku.in_(wanted)))
        return {str(sku): str(name) for sku, name in rows}


async def recent_shippers(service: OrderService, limit: int = 10) -> list[tuple[str, str]]:
    """(name, phone) of the individual shippers of the latest orders, most recent first."""
    async with service.reading() as session:
        return await shippers.recent_shippers(session, limit)
