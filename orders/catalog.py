"""The item catalog: listing, and importing a CSV whose rows update items by SKU."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Final

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orders.errors import InvalidInput, Reason
from orders.tables import Item, StockMovement
from orders.views import ItemView

COLUMNS = ("sku", "name", "price", "stock", "weight_g", "code")
SKU_LIMIT: Final = 64  # the items table's columns
NAME_LIMIT: Final = 255
CODE_LIMIT: Final = 32
MAX_PRICE: Final = 10**15  # VND; far beyond any item, well inside BIGINT
MAX_COUNT: Final = 2**31 - 1  # stock and weight are INTEGER columns


@dataclass(frozen=True)
class ItemRow:
    sku: str
    name: str
    price: int
    stock: int
    weight_g: int
    code: str | None


def _whole(value: str, column: str, line: int) -> int:
    text = value.strip().replace(".", "").replace(",", "").replace("_", "")
    if not text.isdigit():
        raise InvalidInput(Reason.CSV_BAD_NUMBER, line=line, column=column, given=value)
    return int(text)


def parse_items_csv(text: str) -> list[ItemRow]:
    """Rows of `sku,name,price,stock,weight_g,code`; any bad row stops the whole import."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS[:5] if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(Reason.CSV_COLUMNS_MISSING, columns=missing)
    rows: list[ItemRow] = []
    seen_codes: dict[str, str] = {}
    for number, raw in enumerate(reader, start=2):
        sku = (raw.get("sku") or "").strip()
        name = (raw.get("name") or "").strip()
        if not sku or not name:
            raise InvalidInput(Reason.CSV_SKU_AND_NAME_NEEDED, line=number)
        code = (raw.get("code") or "").strip().upper() or None
        if code and seen_codes.setdefault(code, sku) != sku:
            raise InvalidInput(Reason.CSV_CODE_TAKEN, line=number, code=code, sku=seen_codes[code])
        rows.append(
            ItemRow(
                sku=sku,
                name=name,
                price=_whole(raw.get("price") or "", "price", number),
                stock=_whole(raw.get("stock") or "0", "stock", number),
                weight_g=_whole(raw.get("weight_g") or "0", "weight_g", number),
                code=code,
            )
        )
    return rows


def row_problem(row: ItemRow) -> InvalidInput | None:
    """Why the database would refuse a parsed row; None if it fits."""
    sku = row.sku if len(row.sku) <= SKU_LIMIT else row.sku[:20] + "…"
    if len(row.sku) > SKU_LIMIT:
        return InvalidInput(Reason.ITEM_VALUE_TOO_LONG, sku=sku, column="sku", limit=SKU_LIMIT)
    if len(row.name) > NAME_LIMIT:
        return InvalidInput(Reason.ITEM_VALUE_TOO_LONG, sku=sku, column="name", limit=NAME_LIMIT)
    if row.code and len(row.code) > CODE_LIMIT:
        return InvalidInput(Reason.ITEM_VALUE_TOO_LONG, sku=sku, column="code", limit=CODE_LIMIT)
    if row.price > MAX_PRICE or row.stock > MAX_COUNT or row.weight_g > MAX_COUNT:
        return InvalidInput(Reason.ITEM_NUMBER_TOO_LARGE, sku=sku)
    return None


def check_rows(rows: list[ItemRow]) -> None:
    """Refuse the whole list, before anything is written, if the database would refuse any
    row of it: a value too long or too large for its column, or a SKU given twice."""
    seen: set[str] = set()
    for row in rows:
        problem = row_problem(row)
        if problem is None and row.sku in seen:
            problem = InvalidInput(Reason.SKU_TWICE, sku=row.sku)
        if problem is not None:
            raise problem
        seen.add(row.sku)


async def import_items(session: AsyncSession, rows: list[ItemRow]) -> tuple[int, int]:
    """Create or update by SKU; a stock change is logged as a movement. Returns (new, updated).

    Bulk statements for the whole list rather than a round trip per row, so a chunk of a large
    import (`application.catalog_import`) holds the write lock for milliseconds. Items are read as
    plain rows, never loaded as objects, so no object in the session goes stale."""
    if not rows:
        return 0, 0
    skus = [row.sku for row in rows]
    found = await session.execute(select(Item.sku, Item.id, Item.stock).where(Item.sku.in_(skus)))
    existing = {sku: (item_id, stock) for sku, item_id, stock in found}
    await _free_codes(session, {row.code: row.sku for row in rows if row.code})
    fresh = [row for row in rows if row.sku not in existing]
    known = [row for row in rows if row.sku in existing]
    movements = [
        {"item_id": existing[row.sku][0], "delta": row.stock - existing[row.sku][1]}
        for row in known
        if row.stock != existing[row.sku][1]
    ]
    if known:
        await session.execute(
            update(Item), [{"id": existing[row.sku][0], **_values(row)} for row in known]
        )
    if fresh:
        inserted = await session.execute(
            insert(Item).returning(Item.sku, Item.id), [_values(row) for row in fresh]
        )
        ids = {sku: item_id for sku, item_id in inserted}
        movements += [{"item_id": ids[row.sku], "delta": row.stock} for row in fresh if row.stock]
    if movements:
        await session.execute(
            insert(StockMovement), [{**movement, "reason": "import"} for movement in movements]
        )
    return len(fresh), len(known)


async def _free_codes(session: AsyncSession, owners: dict[str, str]) -> None:
    """Take each code from an item that holds it but is not its owner in the import, first,
    so the unique index never sees two items with one code."""
    if not owners:
        return
    holders = await session.execute(
        select(Item.id, Item.sku, Item.code).where(Item.code.in_(list(owners)))
    )
    moving = [item_id for item_id, sku, code in holders if code and owners[code] != sku]
    if moving:
        await session.execute(
            update(Item).where(Item.id.in_(moving)).values(code=None),
            execution_options={"synchronize_session": False},
        )


def _values(row: ItemRow) -> dict[str, object]:
    return {
        "sku": row.sku,
        "name": row.name,
        "price": row.price,
        "stock": row.stock,
        "weight_g": row.weight_g,
        "code": row.code,
    }


def item_view(item: Item) -> ItemView:
    return ItemView(item.sku, item.name, item.price, item.stock, item.weight_g, item.code)


async def list_items(session: AsyncSession) -> list[ItemView]:
    return [item_view(item) for item in await session.scalars(select(Item).order_by(Item.sku))]
