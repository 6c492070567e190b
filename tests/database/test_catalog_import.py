"""A catalog written a chunk at a time ends exactly as the file says, whatever the chunk size:
items matched by SKU, a code that moves to another item taken from its old holder (also when
the two are in different chunks), and every stock change explained by a movement. Generated
catalogs and files, on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from application.catalog_import import import_catalog
from kernel.database import create_engine, read_only, session_factory
from orders.catalog import ItemRow, list_items
from orders.tables import Item, StockMovement
from tests.conftest import in_thread

SKUS = [f"S{n}" for n in range(8)]
CODES = ["A1", "B2", "C3", "D4", "E5"]


@st.composite
def csv_files(draw: st.DrawFn) -> list[ItemRow]:
    """A file's rows: SKUs and codes each unique within the file, as the parser ensures."""
    skus = draw(st.lists(st.sampled_from(SKUS), unique=True, max_size=len(SKUS)))
    codes = draw(st.lists(st.sampled_from([*CODES, None]), min_size=len(skus), max_size=len(skus)))
    seen: set[str] = set()
    rows = []
    for sku, code in zip(skus, codes, strict=True):
        if code in seen:
            code = None
        if code:
            seen.add(code)
        stock = draw(st.integers(0, 5))
        rows.append(ItemRow(sku, f"Item {sku}", draw(st.integers(0, 9)), stock, 100, code))
    return rows


def expected(files: list[list[ItemRow]]) -> dict[str, dict[str, object]]:
    """What importing the files in turn means, one row at a time."""
    items: dict[str, dict[str, object]] = {}
    for rows in files:
        owners = {row.code: row.sku for row in rows if row.code}
        for item in items.values():
            if item["code"] in owners and owners[item["code"]] != item["sku"]:
                item["code"] = None
        for row in rows:
            items[row.sku] = {
                "sku": row.sku,
                "name": row.name,
                "price": row.price,
                "stock": row.stock,
                "weight_g": row.weight_g,
                "code": row.code,
            }
    return items


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Callable[[], str]:
    """An empty migrated database for each generated example."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_migrated")

        def truncated() -> str:
            in_thread(_empty_catalog(url))
            return url

        return truncated
    numbers = itertools.count()

    def copied() -> str:
        path = tmp_path / f"catalog-{next(numbers)}.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"

    return copied


async def _empty_catalog(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("TRUNCATE items, stock_movements CASCADE"))
    finally:
        await engine.dispose()


async def _import_all(url: str, files: list[list[ItemRow]], chunk_rows: int):
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        for rows in files:
            result = await import_catalog(sessions, rows, chunk_rows=chunk_rows)
            assert result.stop is None and result.saved == len(rows)
        async with sessions() as session:
            await read_only(session)
            items = {item.sku: asdict(item) for item in await list_items(session)}
            by_item = select(StockMovement.item_id, func.sum(StockMovement.delta))
            moved = {
                item_id: total
                for item_id, total in await session.execute(by_item.group_by(StockMovement.item_id))
            }
            stock = {
                item_id: count
                for item_id, count in await session.execute(select(Item.id, Item.stock))
            }
        return items, moved, stock
    finally:
        await engine.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=st.lists(csv_files(), min_size=1, max_size=3), chunk_rows=st.integers(1, 4))
@example(  # codes swap between two items that land in different chunks
    files=[
        [ItemRow("S0", "a", 1, 1, 1, "A1"), ItemRow("S1", "b", 1, 2, 1, "B2")],
        [ItemRow("S1", "b", 1, 0, 1, "A1"), ItemRow("S0", "a", 1, 3, 1, "B2")],
    ],
    chunk_rows=1,
)
def test_chunked_imports_end_as_the_files_say(
    fresh_database: Callable[[], str], files: list[list[ItemRow]], chunk_rows: int
):
    items, moved, stock = in_thread(_import_all(fresh_database(), files, chunk_rows))
    assert items == expected(files)
    assert {item_id: moved.get(item_id, 0) for item_id in stock} == stock
