"""Two staff tapping at once give exactly one transition, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from orders.changes import LineInput
from orders.errors import OutOfStock, StaleVersion
from orders.tables import Item, OrderEvent
from tests.factories import STAFF, draft, seed_items

ATTEMPTS = 50


async def test_fifty_taps_with_the_same_version_make_one_transition(sessions, service):
    await seed_items(sessions)
    order = await draft(service)

    async def tap() -> str:
        try:
            await service.act(order.id, "create_order", actor=STAFF, version=1)
        except StaleVersion:
            return "stale"
        return "ok"

    results = await asyncio.gather(*(tap() for _ in range(ATTEMPTS)))
    assert results.count("ok") == 1 and results.count("stale") == ATTEMPTS - 1
    after = await service.detail(order.id)
    assert (after.status, after.version) == ("waiting_for_shipping", 2)
    async with sessions() as session:
        creates = await session.scalar(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.action == "create_order")
        )
        stock = await session.scalar(select(Item.stock).where(Item.sku == "AO-001"))
    assert creates == 1 and stock == 98


async def test_orders_racing_for_the_last_units_never_oversell(sessions, service):
    await seed_items(sessions)  # MU-003 has 2 in stock
    orders = [await draft(service, lines=[LineInput(quantity=1, sku="MU-003")]) for _ in range(6)]

    async def create(order_id: int) -> bool:
        try:
            await service.act(order_id, "create_order", actor=STAFF, version=1)
        except OutOfStock as error:
            assert error.params["name"] == "Mũ lưỡi trai"
            return False
        return True

    won = await asyncio.gather(*(create(o.id) for o in orders))
    assert sum(won) == 2
    async with sessions() as session:
        assert await session.scalar(select(Item.stock).where(Item.sku == "MU-003")) == 0
