"""Bodies landing in a SQLite file of their own (the default beside `chotdon.db`), which only
the receiver writes: the processor copies them into the main database and applies each once."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from application.live_events import facebook_handler
from kernel.database import create_engine, session_factory
from kernel.inbox.landing import Landing
from kernel.inbox.processor import InboxProcessor
from kernel.inbox.sqlite_landing import SqliteLandingWriter
from kernel.inbox.tables import InboxMessage
from kernel.inbox.writer import InboxUnavailable
from kernel.tables import utcnow
from livestream.config import IngestConfig
from livestream.simulate import SimulatedComment, webhook_body
from livestream.tables import Comment
from orders.catalog import ItemRow, import_items
from orders.tables import Order, OrderLine
from tests.conftest import make_settings

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
        session_factory(main), handlers, landing=Landing(session_factory(inbox)), **options
    )


async def store(engine, *bodies: bytes) -> None:
    """As `chotdon serve` lands them: the landing file's own writer thread."""
    writer = SqliteLandingWriter(engine.url.database)
    writer.start()
    for one in bodies:
        await writer.store("facebook", one, "application/json")
    await writer.stop()


async def counts(engines) -> dict[str, object]:
    main, landing = (session_factory(engine) for engine in engines)
    async with main() as session:
        drafts = await session.scalar(select(func.count()).select_from(Order))
        lines = await session.scalar(select(func.sum(OrderLine.quantity)))
        comments = await session.scalar(select(func.count()).select_from(Comment))
        statuses = dict(
            (
                await session.execute(
                    select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
                )
            ).all()
        )
    async with landing() as session:
        landed = dict(
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
        "inbox": statuses,
        "landed": landed,
    }


def test_by_default_sqlite_keeps_the_inbox_beside_the_database_and_postgres_in_it():
    assert (
        make_settings("sqlite+aiosqlite:///./shop/chotdon.db", inbox_database_url=None).inbox_url
        == "sqlite+aiosqlite:///./shop/chotdon-inbox.db"
    )
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/shop"
    assert make_settings(url, inbox_database_url=None).inbox_url == url


async def test_bodies_landed_in_their_file_become_drafts_and_the_file_is_only_read(files):
    await store(files[1], body(1, "u1", "A1 2 0912345678"), body(2, "u2", "A1 1"))

    assert await processor(files).run_once() == 2

    assert await counts(files) == {
        "drafts": 2,
        "units": 3,
        "comments": 2,
        "inbox": {"done": 2},  # copied, claimed and settled in the main database
        "landed": {"pending": 2},  # the receiver's file as the receiver left it
    }


async def test_each_landed_body_is_copied_and_applied_once_across_runs_and_processors(files):
    await store(files[1], body(1, "u1", "A1 2 0912345678"))
    first, second = processor(files), processor(files)
    assert await first.run_once() == 1
    await store(files[1], body(2, "u1", "A1 1"), body(3, "u2", "A1 3"))

    assert await second.run_once() == 2
    assert await first.run_once() == 0
    assert await second.run_once() == 0

    seen = await counts(files)
    assert seen["inbox"] == {"done": 3}
    assert (seen["drafts"], seen["units"], seen["comments"]) == (2, 6, 3)


async def test_an_unprocessable_body_fails_alone_and_its_neighbours_are_done(files):
    await store(files[1], body(1, "u1", "A1 1"), b'["not a page webhook"]', body(3, "u3", "A1 1"))

    await processor(files).run_once()

    seen = await counts(files)
    assert seen["inbox"] == {"done": 2, "failed": 1}
    assert seen["drafts"] == 2


async def test_copied_bodies_older_than_a_week_are_trimmed_from_the_landing_file(files):
    await store(files[1], *(body(n, f"u{n}", "A1 1") for n in range(1, 5)))
    async with session_factory(files[1]).begin() as session:
        await session.execute(update(InboxMessage).values(received_at=utcnow() - timedelta(days=8)))
    landing = Landing(session_factory(files[1]), trim_every=0)
    work = InboxProcessor(
        session_factory(files[0]),
        {"facebook": facebook_handler(IngestConfig(page_id=PAGE))},
        landing=landing,
    )
    await work.run_once()  # copies all four; nothing was copied before, so nothing is trimmed
    await work.run_once()  # trims what is copied, but keeps the newest row (its id must stay)

    async with session_factory(files[1])() as session:
        left = list(await session.scalars(select(InboxMessage.id)))
    assert left == [4]
    assert (await counts(files))["inbox"] == {"done": 4}


def rows_in_the_file_itself(database: Path, tmp_path: Path) -> int:
    """What the database file holds without its write-ahead log: a copy of the file alone."""
    alone = tmp_path / "without-log.db"
    shutil.copy(database, alone)
    with sqlite3.connect(alone) as connection:
        return connection.execute("SELECT count(*) FROM inbox").fetchone()[0]


async def test_taking_bodies_in_copies_the_landing_files_log_back_into_it(files, tmp_path):
    """So the receiver's own commits do not have to (see `Landing._checkpoint`)."""
    landing_file = tmp_path / "chotdon-inbox.db"
    writer = SqliteLandingWriter(str(landing_file))  # kept open: closing would checkpoint too
    writer.start()
    for n in range(1, 30):
        await writer.store("facebook", body(n, f"u{n}", "A1 1"), "application/json")
    assert rows_in_the_file_itself(landing_file, tmp_path) == 0  # only in the log so far

    await processor(files).run_once()

    assert rows_in_the_file_itself(landing_file, tmp_path) == 29
    await writer.stop()
    assert (await counts(files))["inbox"] == {"done": 29}


async def test_the_landing_writer_commits_bodies_waiting_together_and_answers_each(files):
    writer = SqliteLandingWriter(files[1].url.database)
    writer.start()
    bodies = [body(n, f"u{n}", "A1 1") for n in range(1, 201)]
    await asyncio.gather(*(writer.store("facebook", one, "application/json") for one in bodies))
    await writer.stop()

    assert writer.stored == 200 and writer.commits < 200
    async with session_factory(files[1])() as session:
        rows = list(await session.scalars(select(InboxMessage).order_by(InboxMessage.id)))
    assert sorted(row.body for row in rows) == sorted(bodies)
    assert all(row.status == "pending" and row.received_at is not None for row in rows)


async def test_the_landing_writer_refuses_once_stopped_and_when_the_file_refuses(files, tmp_path):
    writer = SqliteLandingWriter(files[1].url.database)
    writer.start()
    await writer.store("facebook", b"{}", "application/json")
    await writer.stop()
    with pytest.raises(InboxUnavailable):
        await writer.store("facebook", b"{}", "application/json")

    unmigrated = SqliteLandingWriter(str(tmp_path / "empty.db"))  # no inbox table
    unmigrated.start()
    with pytest.raises(InboxUnavailable, match="refused"):
        await unmigrated.store("facebook", b"{}", "application/json")
    await unmigrated.stop()


async def test_a_content_type_no_database_takes_lands_made_storable_with_its_neighbours(files):
    """The content type is the sender's header: one that SQLite cannot encode (aiohttp hands
    undecodable header bytes on as lone surrogates) or too long for its column must not fail
    the batch it is written with."""
    writer = SqliteLandingWriter(files[1].url.database)
    writer.start()
    hostile = "application/json; x=\udcff\x00" + "y" * 300
    try:
        await asyncio.gather(
            writer.store("facebook", body(1, "u1", "A1 1"), "application/json"),
            writer.store("facebook", body(2, "u2", "A1 1"), hostile),
        )
    finally:
        await writer.stop()

    assert await processor(files).run_once() == 2
    assert (await counts(files))["drafts"] == 2
    async with session_factory(files[0])() as session:
        kept = list(
            await session.scalars(select(InboxMessage.content_type).order_by(InboxMessage.id))
        )
    assert kept[0] == "application/json"
    assert kept[1].startswith("application/json; x=\ufffd") and len(kept[1]) == 128
