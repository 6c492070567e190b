"""The inbox in a SQLite file of its own (the default beside `chotdon.db`): bodies still applied
once in effect, even when a processor dies between committing a body's effects and marking it
done, which two files cannot make one commit."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from chotdon.database import create_engine, session_factory
from livestream_ingest.config import IngestConfig
from livestream_ingest.simulate import SimulatedComment, webhook_body
from livestream_ingest.tables import Comment
from livestream_ingest.wiring import facebook_handler
from orders.catalog import ItemRow, import_items
from orders.tables import Order, OrderLine, utcnow
from tests.conftest import make_settings
from webhooks.inbox import InboxWriter
from webhooks.processor import InboxItem, InboxProcessor
from webhooks.tables import InboxMessage

PAGE = "100000000000001"
VIDEO = "424242"
T0 = 1_760_000_000


def body(n: int, buyer: str, message: str) -> bytes:
    comment = SimulatedComment(
        VIDEO, f"{PAGE}_{VIDEO}_{n}", buyer, f"Khách {buyer}", message, T0 + n
    )
    return webhook_body([comment], page_id=PAGE, sent_at=T0)


@pytest.fixture
async def files(sqlite_template: Path, tmp_path: Path):
    """The main file and the inbox file, both migrated; the main one has item A1."""
    main, inbox = tmp_path / "chotdon.db", tmp_path / "chotdon-inbox.db"
    shutil.copy(sqlite_template, main)
    shutil.copy(sqlite_template, inbox)
    engines = (
        create_engine(f"sqlite+aiosqlite:///{main}"),
        create_engine(f"sqlite+aiosqlite:///{inbox}"),
    )
    async with session_factory(engines[0]).begin() as session:
        await import_items(session, [ItemRow("AO-1", "Áo", 150_000, 100, 200, "A1")])
    yield engines
    for engine in engines:
        await engine.dispose()


def processor(engines, **options) -> InboxProcessor:
    main, inbox = engines
    handlers = {"facebook": facebook_handler(IngestConfig(page_id=PAGE))}
    return InboxProcessor(
        session_factory(main), handlers, inbox_sessions=session_factory(inbox), **options
    )


async def store(engine, *bodies: bytes) -> None:
    writer = InboxWriter(engine)
    writer.start()
    for one in bodies:
        await writer.store("facebook", one, "application/json")
    await writer.stop()


async def counts(engines) -> dict[str, object]:
    main, inbox = (session_factory(engine) for engine in engines)
    async with main() as session:
        drafts = await session.scalar(select(func.count()).select_from(Order))
        lines = await session.scalar(select(func.sum(OrderLine.quantity)))
        comments = await session.scalar(select(func.count()).select_from(Comment))
        in_main = await session.scalar(select(func.count()).select_from(InboxMessage))
    async with inbox() as session:
        statuses = dict(
            (
                await session.execute(
                    select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
                )
            ).all()
        )
    return {
        "drafts": drafts,
        "units": lines,
        "comments": comments,
        "inbox_in_main": in_main,
        "inbox": statuses,
    }


def test_by_default_sqlite_keeps_the_inbox_beside_the_database_and_postgres_in_it():
    assert (
        make_settings("sqlite+aiosqlite:///./shop/chotdon.db", inbox_database_url=None).inbox_url
        == "sqlite+aiosqlite:///./shop/chotdon-inbox.db"
    )
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/shop"
    assert make_settings(url, inbox_database_url=None).inbox_url == url


async def test_bodies_in_the_inbox_file_become_drafts_in_the_main_file(files):
    await store(files[1], body(1, "u1", "A1 2 0912345678"), body(2, "u2", "A1 1"))

    assert await processor(files).run_once() == 2

    assert await counts(files) == {
        "drafts": 2,
        "units": 3,
        "comments": 2,
        "inbox_in_main": 0,
        "inbox": {"done": 2},
    }


async def test_a_processor_that_died_between_the_two_commits_changes_nothing_twice(files):
    """The exact state such a crash leaves: the body's effects committed in the main file, its
    inbox row still `processing` under the dead processor's lease. Once the lease runs out,
    another processor applies it again: the comment is already known, so nothing changes."""
    first = body(1, "u1", "A1 2 0912345678")
    await store(files[1], first)
    async with session_factory(files[0]).begin() as session:
        item = InboxItem(1, "facebook", first, "application/json", utcnow())
        await facebook_handler(IngestConfig(page_id=PAGE))(session, [item])
    async with session_factory(files[1]).begin() as session:
        await session.execute(
            update(InboxMessage).values(
                status="processing",
                attempts=1,
                locked_by="dead-processor",
                locked_until=utcnow() - timedelta(seconds=1),
            )
        )
    before = await counts(files)

    assert await processor(files).run_once() == 1

    after = await counts(files)
    assert after["inbox"] == {"done": 1}
    assert (
        {k: after[k] for k in ("drafts", "units", "comments")}
        == {k: before[k] for k in ("drafts", "units", "comments")}
        == {"drafts": 1, "units": 2, "comments": 1}
    )


async def test_an_unprocessable_body_fails_alone_and_its_neighbours_are_done(files):
    await store(files[1], body(1, "u1", "A1 1"), b'["not a page webhook"]', body(3, "u3", "A1 1"))

    await processor(files).run_once()

    seen = await counts(files)
    assert seen["inbox"] == {"done": 2, "failed": 1}
    assert seen["drafts"] == 2
