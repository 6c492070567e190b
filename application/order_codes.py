"""The item codes a staff member may type for an order: the same table a buyer's comment on
that order's live is read against, so a reply in the chat or on a page means what it would
have meant in the comment."""

from __future__ import annotations

from sqlalchemy import select

from application.live_sessions import code_table, codes_of
from application.services import OrderService
from livestream.parser import CodeTable
from livestream.tables import LiveSession
from orders.tables import Item
from orders.views import OrderRow


async def codes_for(service: OrderService, order: OrderRow) -> CodeTable:
    """The codes a reply may use: the items' own codes, then the order's live session's, which
    win, as they do when a buyer's comment is read."""
    async with service.reading() as session:
        items = await session.execute(select(Item.code, Item.sku).where(Item.code.is_not(None)))
        codes = {str(code): str(sku) for code, sku in items if code}
        live = None
        if order.video_id:
            live = await session.scalar(
                select(LiveSession).where(LiveSession.video_id == order.video_id)
            )
        if live is None:
            return CodeTable.build(codes)
        table = code_table(live, await codes_of(session, live))
    merged = {**CodeTable.build(codes).codes, **table.codes}
    return CodeTable(codes=merged, default_code=table.default_code, max_qty=table.max_qty)


async def catalog_codes(service: OrderService) -> CodeTable:
    """The codes an order taken by hand may use: the items' own codes (no live session)."""
    async with service.reading() as session:
        items = await session.execute(select(Item.code, Item.sku).where(Item.code.is_not(None)))
        return CodeTable.build({str(code): str(sku) for code, sku in items if code})
