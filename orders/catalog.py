"""The item catalog: listing, and importing a CSV whose rows update items by SKU."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.errors import InvalidInput
from orders.tables import Item, StockMovement

COLUMNS = ("sku", "name", "price", "stock", "weight_g", "code")


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
        raise InvalidInput(f"Line {line}: {column} must be a whole number ≥ 0, not {value!r}.")
    return int(text)


def parse_items_csv(text: str) -> list[ItemRow]:
    """Rows of `sku,name,price,stock,weight_g,code`; any bad row stops the whole import."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS[:5] if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"The CSV lacks the column(s) {', '.join(missing)}.")
    rows: list[ItemRow] = []
    seen_codes: dict[str, str] = {}
    for number, raw in enumerate(reader, start=2):
        sku = (raw.get("sku") or "").strip()
        name = (raw.get("name") or "").strip()
        if not sku or not name:
            raise InvalidInput(f"Line {number}: sku and name are required.")
        code = (raw.get("code") or "").strip().upper() or None
        if code and seen_codes.setdefault(code, sku) != sku:
            raise InvalidInput(f"Line {number}: code {code} is also given to {seen_codes[code]}.")
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


async def import_items(session: AsyncSession, rows: list[ItemRow]) -> tuple[int, int]:
    """Create or update by SKU; a stock change is logged as a movement. Returns (new, updated)."""
    existing = {
        item.sku: item
        for item in await session.scalars(select(Item).where(Item.sku.in_([r.sku for r in rows])))
    }
    # Free codes that move to another item first, so the unique index never sees two owners.
    codes = {row.code for row in rows if row.code}
    for item in await session.scalars(select(Item).where(Item.code.in_(codes))):
        if item.sku not in {r.sku for r in rows if r.code == item.code}:
            item.code = None
    await session.flush()
    created = updated = 0
    for row in rows:
        item = existing.get(row.sku)
        if item is None:
            item = Item(sku=row.sku, stock=0)
            session.add(item)
            created += 1
        else:
            updated += 1
        delta = row.stock - item.stock
        item.name, item.price, item.weight_g, item.code = (
            row.name,
            row.price,
            row.weight_g,
            row.code,
        )
        item.stock = row.stock
        await session.flush()
        if delta:
            session.add(StockMovement(item_id=item.id, delta=delta, reason="import"))
    return created, updated


def item_view(item: Item) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "name": item.name,
        "price": item.price,
        "stock": item.stock,
        "weight_g": item.weight_g,
        "code": item.code,
    }


async def list_items(session: AsyncSession) -> list[dict[str, Any]]:
    return [item_view(item) for item in await session.scalars(select(Item).order_by(Item.sku))]
