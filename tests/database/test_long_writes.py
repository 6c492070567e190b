"""A long write never starves the rest: while a manager imports a 65,000-row catalog through
the real page, `/healthz` stays 200, a signed Facebook delivery is stored and another page's
write goes through, on each backend (SQLite with its own inbox file, as `chotdon serve` runs
it). An import the database stops half-way says how far it got and is finished by importing
the same file again."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from application import web_logins as auth
from chotdon.app import create_app
from kernel.database import create_engine, is_sqlite, read_only, session_factory
from kernel.inbox.tables import InboxMessage
from orders.catalog import list_items
from orders.staff import add_staff, list_staff
from orders.tables import Item
from tests.conftest import make_settings
from tests.database.test_facebook_webhook import SECRET, comment, envelope, facebook_bytes, signed
from tests.database.test_web_manage import MANAGER_ID, Person, Web, csv_upload
from tests.helpers import eventually

ROWS = 65_000  # as found: about 2 MB, under the upload cap
ROUNDS = 20  # of other requests during the import, each a health check, a delivery, a write
HEADER = "sku,name,price,stock,weight_g,code\n"


def catalog_csv(rows: int, *, price: int = 1000) -> str:
    return HEADER + "".join(
        f"S{i:05d},I{i},{price + i},{i % 90},{100 + i % 7},\n" for i in range(rows)
    )


async def count_of(url: str, query: Any) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await read_only(session)
            return await session.scalar(query) or 0
    finally:
        await engine.dispose()


async def catalog(url: str) -> dict[str, dict[str, Any]]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await read_only(session)
            return {item.sku: asdict(item) for item in await list_items(session)}
    finally:
        await engine.dispose()


@pytest.fixture
def inbox_url(db_url: str, sqlite_template: Path, tmp_path: Path) -> str:
    """On SQLite a landing file of its own beside the database, migrated, as in production."""
    if not is_sqlite(db_url):
        return db_url
    shutil.copy(sqlite_template, tmp_path / "chotdon-inbox.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'chotdon-inbox.db'}"


@pytest.fixture
async def shop(aiohttp_client: Any, db_url: str, inbox_url: str) -> Web:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine).begin() as session:
            row = await add_staff(session, MANAGER_ID, "Hà", "manager")
            started = await auth.start_session(session, row, "link")
    finally:
        await engine.dispose()
    manager = Person(MANAGER_ID, started.token, started.csrf_token)
    settings = make_settings(
        db_url, inbox_database_url=inbox_url, language="en", facebook_app_secret=SECRET
    )
    app = create_app(settings, run_worker=False, run_inbox=False, run_bot=False)
    return Web(await aiohttp_client(app), manager, manager)


async def test_healthz_webhooks_and_page_writes_answer_while_a_large_catalog_imports(
    shop: Web, db_url: str, inbox_url: str
):
    big = catalog_csv(ROWS)
    assert 1_500_000 < len(big.encode()) < 2 * 1024 * 1024
    upload = asyncio.create_task(shop.post(shop.manager, "/manage/catalog", csv_upload(big)))

    async def writing() -> bool:
        return await count_of(db_url, select(func.count()).select_from(Item)) > 0

    await eventually(writing, "the import's first rows in the catalog", deadline_s=60)
    rounds, during = 0, 0
    while not upload.done() and rounds < ROUNDS:
        rounds += 1
        async with shop.client.get("/healthz") as health:
            assert (health.status, await health.json()) == (200, {"status": "ok"})
        body = facebook_bytes(envelope(comment(rounds)))
        async with shop.client.post("/webhooks/facebook", data=body, headers=signed(body)) as hook:
            assert hook.status == 200, await hook.text()
        page, where = await shop.post(
            shop.manager,
            "/manage/staff",
            {"telegram_id": str(5000 + rounds), "name": f"Nhân viên {rounds}", "role": "sales"},
        )
        assert where == "/manage/staff?done=added"
        if not upload.done():
            during += 1  # all three answered before the import did
    page, _ = await upload
    assert f"Imported: {ROWS} new items, 0 updated." in page
    assert during >= 1, "the import ended before one round of other requests could run"

    items = await catalog(db_url)
    assert len(items) == ROWS
    assert items["S64999"] == {
        "sku": "S64999",
        "name": "I64999",
        "price": 1000 + 64999,
        "stock": 64999 % 90,
        "weight_g": 100 + 64999 % 7,
        "code": None,
    }
    assert await count_of(inbox_url, select(func.count()).select_from(InboxMessage)) == rounds
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            staff = {row.telegram_id for row in await list_staff(session)}
    finally:
        await engine.dispose()
    assert {5000 + n for n in range(1, rounds + 1)} <= staff


REFUSE_SKU = "S01700"  # in the fourth chunk of 500: three chunks are saved before it


async def refuse_one_sku(url: str) -> None:
    """The database itself refuses one row, as a constraint would, mid-way through a file."""
    if is_sqlite(url):
        with sqlite3.connect(make_path(url)) as connection:
            connection.execute(
                f"CREATE TRIGGER refuse BEFORE INSERT ON items WHEN NEW.sku = '{REFUSE_SKU}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
            )
        return
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.sku = '{REFUSE_SKU}' THEN RAISE EXCEPTION 'refused by the test "
                    "trigger' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$"
                )
            )
            await connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON items FOR EACH ROW "
                    "EXECUTE FUNCTION refuse_one()"
                )
            )
    finally:
        await engine.dispose()


async def allow_it_again(url: str) -> None:
    if is_sqlite(url):
        with sqlite3.connect(make_path(url)) as connection:
            connection.execute("DROP TRIGGER IF EXISTS refuse")
        return
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP TRIGGER IF EXISTS refuse ON items"))
            await connection.execute(text("DROP FUNCTION IF EXISTS refuse_one()"))
    finally:
        await engine.dispose()


def make_path(url: str) -> str:
    return url.removeprefix("sqlite+aiosqlite:///")


async def test_an_import_stopped_half_way_says_so_and_the_same_file_again_finishes_it(
    shop: Web, db_url: str
):
    rows = 3000
    await refuse_one_sku(db_url)
    try:
        page, _ = await shop.post(
            shop.manager, "/manage/catalog", csv_upload(catalog_csv(rows)), status=422
        )
    finally:
        await allow_it_again(db_url)
    assert (
        f"Imported 1500 of {rows} items (1500 new, 0 updated), then stopped at item 1501: "
        "the database refused these rows (" in page
    )
    assert "Upload the same file again to finish" in page
    assert len(await catalog(db_url)) == 1500

    page, _ = await shop.post(shop.manager, "/manage/catalog", csv_upload(catalog_csv(rows)))
    assert "Imported: 1500 new items, 1500 updated." in page
    items = await catalog(db_url)
    assert len(items) == rows
    assert items[REFUSE_SKU]["price"] == 1000 + 1700
