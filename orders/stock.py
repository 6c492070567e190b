"""Stock leaves the storehouse with an order and comes back on cancel or return.

Each change is one conditional UPDATE, so two orders racing for the last unit cannot both win,
and one append-only movement row, so the number on hand can be explained.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.database import rows_changed
from orders.errors import OutOfStock, Reason
from orders.tables import Item, OrderLine, StockMovement


def quantities(lines: Iterable[OrderLine]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for line in lines:
        if line.item_id is not None and not line.waitlisted:
            counts[line.item_id] += line.quantity
    return counts


async def take(session: AsyncSession, order_id: int, counts: Counter[int]) -> None:
    for item_id, quantity in sorted(counts.items()):
        if quantity <= 0:
            continue
        result = await session.execute(
            update(Item)
            .where(Item.id == item_id, Item.stock >= quantity)
            .values(stock=Item.stock - quantity)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(result) != 1:
            item = (await session.execute(select(Item).where(Item.id == item_id))).scalar_one()
            raise OutOfStock(
                Reason.OUT_OF_STOCK, sku=item.sku, name=item.name, wanted=quantity, left=item.stock
            )
        session.add(
            StockMovement(item_id=item_id, order_id=order_id, delta=-quantity, reason="order_out")
        )


async def give_back(session: AsyncSession, order_id: int, counts: Counter[int]) -> None:
    for item_id, quantity in sorted(counts.items()):
        if quantity <= 0:
            continue
        await session.execute(
            update(Item)
            .where(Item.id == item_id)
            .values(stock=Item.stock + quantity)
            .execution_options(synchronize_session=False)
        )
        session.add(
            StockMovement(item_id=item_id, order_id=order_id, delta=quantity, reason="order_back")
        )


async def adjust(
    session: AsyncSession, order_id: int, before: Counter[int], after: Counter[int]
) -> None:
    """Edit of an order whose goods are already out: take or give back only the difference."""
    more = Counter({k: after[k] - before[k] for k in after if after[k] > before[k]})
    less = Counter({k: before[k] - after[k] for k in before if before[k] > after[k]})
    await give_back(session, order_id, less)
    await take(session, order_id, more)
