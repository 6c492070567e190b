"""The inbox against a real database: every stored body is handled exactly once, its effects and
its `done` mark commit together, failures retry then wait for a person, and a process killed
after acknowledging loses nothing."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chotdon.app import create_app
from kernel.database import create_engine, is_sqlite, session_factory
from kernel.inbox.processor import (
    UNRECORDABLE,
    BodyHandler,
    InboxItem,
    InboxProcessor,
    Unprocessable,
    each,
    retry_message,
)
from kernel.inbox.tables import InboxMessage
from kernel.inbox.writer import InboxWriter
from kernel.tables import utcnow
from orders.staff import add_staff
from orders.tables import Staff
from tests.conftest import make_settings
from tests.database.test_facebook_webhook import (
    SECRET,
    URL,
    comment,
    envelope,
    facebook_bytes,
    signed,
)
from tests.database.test_outbox import eventually
from tests.helpers import DEADLINE_S, refusing

Sessions = async_sessionmaker[AsyncSession]
SOURCE = "facebook"


async def store(engine: AsyncEngine, *bodies: bytes, source: str = SOURCE) -> list[int]:
    """Through the writer, as the receiver stores them; returns the new rows' ids in order."""
    writer = InboxWriter(engine)
    writer.start()
    for body in bodies:  # one at a time, so ids follow the order given
        await writer.store(source, body, "application/json")
    await writer.stop()
    async with session_factory(engine)() as session:
        ids = await session.scalars(select(InboxMessage.id).order_by(InboxMessage.id))
        return list(ids)[-len(bodies) :]


async def load(sessions: Sessions, row_id: int) -> InboxMessage:
    async with sessions() as session:
        row = await session.get(InboxMessage, row_id)
        assert row is not None
        return row


async def status_is(sessions: Sessions, row_id: int, status: str) -> bool:
    return (await load(sessions, row_id)).status == status


async def count(sessions: Sessions, status: str) -> int:
    async with sessions() as session:
        query = select(func.count()).where(InboxMessage.status == status)
        return await session.scalar(query) or 0


async def staff_ids(sessions: Sessions) -> list[int]:
    async with sessions() as session:
        return list(await session.scalars(select(Staff.telegram_id).order_by(Staff.telegram_id)))


def quick(sessions: Sessions, handlers: dict[str, BodyHandler], **options) -> InboxProcessor:
    """A processor with fast polling and backoff, its handlers applying one body each."""
    options.setdefault("poll_interval", 0.02)
    options.setdefault("backoff_base", 0.02)
    options.setdefault("backoff_cap", 0.1)
    batched = {source: each(handle) for source, handle in handlers.items()}
    return InboxProcessor(sessions, batched, rng=random.Random(3), **options)


@asynccontextmanager
async def running(*processors: InboxProcessor) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(processor.run(stop)) for processor in processors]
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=DEADLINE_S)


def recorder(into: list[InboxItem]) -> BodyHandler:
    """Records the item, and leaves an effect (a staff row) that commits only with success."""

    async def handle(session: AsyncSession, item: InboxItem) -> None:
        into.append(item)
        await add_staff(session, item.id * 100 + item.attempt, f"row {item.id}", "sales")

    return handle


async def test_a_stored_body_is_handled_once_and_its_effect_commits_with_done(engine, sessions):
    [row_id] = await store(engine, b'{"object":"page"}')
    handled: list[InboxItem] = []

    assert await quick(sessions, {SOURCE: recorder(handled)}).run_once() == 1

    [item] = handled
    assert (item.id, item.source, item.body, item.attempt) == (
        row_id,
        SOURCE,
        b'{"object":"page"}',
        1,
    )
    assert item.content_type == "application/json"
    row = await load(sessions, row_id)
    assert (row.status, row.attempts, row.locked_by, row.locked_until) == ("done", 1, None, None)
    assert row.processed_at is not None and row.last_error is None
    assert await staff_ids(sessions) == [row_id * 100 + 1]
    assert await quick(sessions, {SOURCE: recorder(handled)}).run_once() == 0


async def test_a_handler_that_fails_twice_then_succeeds_ends_done_with_three_attempts(
    engine, sessions
):
    [row_id] = await store(engine, b"{}")
    handled: list[InboxItem] = []

    async def flaky(session: AsyncSession, item: InboxItem) -> None:
        await recorder(handled)(session, item)
        if item.attempt < 3:
            raise ConnectionError(f"database hiccup ({item.attempt})")

    async with running(quick(sessions, {SOURCE: flaky})):
        await eventually(lambda: status_is(sessions, row_id, "done"), "row done")

    assert [item.attempt for item in handled] == [1, 2, 3]
    row = await load(sessions, row_id)
    assert (row.status, row.attempts) == ("done", 3)
    assert row.last_error == "ConnectionError: database hiccup (2)"
    # The failed attempts' effects were rolled back with them.
    assert await staff_ids(sessions) == [row_id * 100 + 3]


async def test_a_handler_that_always_fails_leaves_the_row_failed_after_max_attempts(
    engine, sessions
):
    [row_id] = await store(engine, b"{}")
    attempts: list[int] = []

    async def broken(session: AsyncSession, item: InboxItem) -> None:
        attempts.append(item.attempt)
        raise KeyError(f"attempt {item.attempt}")

    async with running(quick(sessions, {SOURCE: broken}, max_attempts=3)):
        await eventually(lambda: status_is(sessions, row_id, "failed"), "row failed")

    assert attempts == [1, 2, 3]
    row = await load(sessions, row_id)
    assert (row.attempts, row.last_error) == (3, "KeyError: 'attempt 3'")
    assert row.processed_at is not None and row.locked_by is None


async def test_a_failed_attempt_waits_for_its_backoff(engine, sessions):
    [row_id] = await store(engine, b"{}")

    async def fail(session: AsyncSession, item: InboxItem) -> None:
        raise ConnectionError("down")

    processor = quick(sessions, {SOURCE: fail}, backoff_base=30.0, backoff_cap=60.0)
    before = utcnow()
    assert await processor.run_once() == 1
    row = await load(sessions, row_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at >= before + timedelta(seconds=15)  # never sooner than half a step
    assert await processor.run_once() == 0


async def test_a_handler_that_hangs_is_stopped_and_retried_later(engine, sessions):
    [row_id] = await store(engine, b"{}")

    async def hang(session: AsyncSession, item: InboxItem) -> None:
        await add_staff(session, 1, "never committed", "sales")
        await asyncio.Event().wait()

    processor = quick(sessions, {SOURCE: hang}, handler_timeout=0.05, backoff_base=60.0)
    assert await processor.run_once() == 1
    row = await load(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "TimeoutError")
    assert await staff_ids(sessions) == []


async def test_an_unprocessable_body_fails_at_once_with_its_reason(engine, sessions):
    [row_id] = await store(engine, b'["not", "a", "page", "webhook"]')
    calls: list[int] = []

    async def refuse(session: AsyncSession, item: InboxItem) -> None:
        calls.append(item.attempt)
        await add_staff(session, 1, "never committed", "sales")
        raise Unprocessable("expected an object with entry[]")

    assert await quick(sessions, {SOURCE: refuse}).run_once() == 1

    assert calls == [1]
    row = await load(sessions, row_id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "unprocessable: expected an object with entry[]"
    assert await staff_ids(sessions) == []


async def test_a_source_nobody_handles_fails_with_a_reason_instead_of_vanishing(engine, sessions):
    [row_id] = await store(engine, b"{}", source="ghn")
    assert await quick(sessions, {SOURCE: recorder([])}).run_once() == 1
    row = await load(sessions, row_id)
    assert (row.status, row.last_error) == ("failed", "no handler for source 'ghn'")


async def test_rows_are_handled_in_order_and_committed_together(engine, sessions):
    ids = await store(engine, *(f'{{"n":{n}}}'.encode() for n in range(10)))
    handled: list[InboxItem] = []
    processor = quick(sessions, {SOURCE: recorder(handled)}, chunk_bytes=1 << 20)

    assert await processor.run_once() == 10

    assert [item.id for item in handled] == ids
    assert processor.commits == 1, "the batch should share one transaction"
    assert await count(sessions, "done") == 10


async def test_one_failing_row_spares_its_neighbours(engine, sessions):
    ids = await store(engine, *(f'{{"n":{n}}}'.encode() for n in range(10)))
    bad = ids[4]
    handled: list[InboxItem] = []

    async def all_but_one(session: AsyncSession, item: InboxItem) -> None:
        await recorder(handled)(session, item)
        if item.id == bad:
            raise ValueError("bad row")

    processor = quick(sessions, {SOURCE: all_but_one}, chunk_bytes=1 << 20, backoff_base=60.0)
    assert await processor.run_once() == 10

    assert list(dict.fromkeys(item.id for item in handled)) == ids
    statuses = [(await load(sessions, row_id)).status for row_id in ids]
    assert statuses == ["done"] * 4 + ["pending"] + ["done"] * 5
    row = await load(sessions, bad)
    assert (row.attempts, row.last_error) == (1, "ValueError: bad row")
    # Every good row's effect exactly once; none of the bad row's.
    assert await staff_ids(sessions) == [row_id * 100 + 1 for row_id in ids if row_id != bad]


async def test_with_no_chunk_budget_each_row_commits_in_its_own_transaction(engine, sessions):
    ids = await store(engine, *(b"{}" for _ in range(5)))
    processor = quick(sessions, {SOURCE: recorder([])}, chunk_bytes=0)
    assert await processor.run_once() == 5
    assert processor.commits == 5
    assert await count(sessions, "done") == len(ids)


async def test_a_failed_row_retried_is_processed_again_from_a_fresh_start(engine, sessions):
    [row_id, other] = await store(engine, b"{}", b"{}")
    refusing = [True]  # until the handler is "fixed", below

    async def once_refused(session: AsyncSession, item: InboxItem) -> None:
        if item.id == row_id and refusing[0]:
            raise Unprocessable("no handler for this shape yet")

    processor = quick(sessions, {SOURCE: once_refused})
    await processor.run_once()
    assert (await load(sessions, row_id)).status == "failed"

    async with sessions.begin() as session:
        assert not await retry_message(session, other), "a done row is not retried"
        assert not await retry_message(session, row_id + 1000)
        assert await retry_message(session, row_id)
    refusing[0] = False
    row = await load(sessions, row_id)
    assert (row.status, row.attempts, row.processed_at) == ("pending", 0, None)

    assert await processor.run_once() == 1
    row = await load(sessions, row_id)
    assert (row.status, row.attempts) == ("done", 1)


async def test_rows_claimed_when_asked_to_stop_go_back_charged(engine, sessions):
    """Every claim is an attempt: a row given back uncharged could be taken first for ever."""
    ids = await store(engine, b"{}", b"{}", b"{}")
    handled: list[InboxItem] = []
    stop = asyncio.Event()
    stop.set()

    assert await quick(sessions, {SOURCE: recorder(handled)}).run_once(stop) == 3

    assert handled == []
    for row_id in ids:
        row = await load(sessions, row_id)
        assert (row.status, row.attempts, row.locked_by) == ("pending", 1, None)


async def test_rows_of_a_dead_processor_are_taken_alone_after_their_lease(engine, sessions):
    spent, crashed, waiting, leased = await store(engine, b"{}", b"{}", b"{}", b"{}")
    past, future = utcnow() - timedelta(seconds=1), utcnow() + timedelta(minutes=5)
    async with sessions.begin() as session:
        for row_id, attempts, until in [(spent, 5, past), (crashed, 1, past), (leased, 1, future)]:
            await session.execute(
                update(InboxMessage)
                .where(InboxMessage.id == row_id)
                .values(
                    status="processing", attempts=attempts, locked_by="dead", locked_until=until
                )
            )
    handled: list[InboxItem] = []
    processor = quick(sessions, {SOURCE: recorder(handled)}, max_attempts=5)

    assert await processor.run_once() == 1  # the spent one is given up on, nothing handled
    row = await load(sessions, spent)
    assert (row.status, row.attempts) == ("failed", 5)
    assert row.last_error == "the processor stopped during the last allowed attempt"
    assert await processor.run_once() == 1  # the crashed one, alone
    assert [(item.id, item.attempt) for item in handled] == [(crashed, 2)]
    assert await processor.run_once() == 1
    assert [item.id for item in handled] == [crashed, waiting]
    assert await processor.run_once() == 0, "a row under a live lease belongs to its processor"
    assert (await load(sessions, leased)).status == "processing"


# Failures whose text no database takes: the line never stops

HOSTILE = "half an emoji \ud83d, a NUL \x00, the end"
MADE_STORABLE = "half an emoji \ufffd, a NUL , the end"


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("this exception cannot say what it is")


def failing_for(poison: int, error: Exception, handled: list[InboxItem]) -> BodyHandler:
    """Raises `error` for row `poison`, records the others."""

    async def handle(session: AsyncSession, item: InboxItem) -> None:
        if item.id == poison:
            raise error
        await recorder(handled)(session, item)

    return handle


async def test_an_unprocessable_body_whose_reason_no_database_takes_is_parked_with_it_storable(
    engine, sessions
):
    poison, good = await store(engine, b"{}", b"{}")
    handled: list[InboxItem] = []
    handler = failing_for(poison, Unprocessable(f"OrderCode {HOSTILE}"), handled)

    assert await quick(sessions, {SOURCE: handler}).run_once() == 2

    row = await load(sessions, poison)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == f"unprocessable: OrderCode {MADE_STORABLE}"
    assert [item.id for item in handled] == [good]


@pytest.mark.parametrize(
    ("error", "recorded"),
    [(ValueError(HOSTILE), f"ValueError: {MADE_STORABLE}"), (Unprintable(), "Unprintable")],
    ids=["hostile-text", "unprintable"],
)
async def test_a_failure_that_cannot_describe_itself_safely_is_retried_then_parked(
    engine, sessions, error, recorded
):
    poison, good = await store(engine, b"{}", b"{}")
    handled: list[InboxItem] = []

    async with running(
        quick(sessions, {SOURCE: failing_for(poison, error, handled)}, max_attempts=3)
    ):
        await eventually(lambda: status_is(sessions, poison, "failed"), "the poison parked")
        await eventually(lambda: status_is(sessions, good, "done"), "the row behind it done")

    row = await load(sessions, poison)
    assert (row.attempts, row.last_error) == (3, recorded)
    assert [item.id for item in handled] == [good]


@pytest.mark.parametrize(
    "error", [Unprocessable("poison-marker"), ConnectionError("poison-marker")]
)
async def test_a_row_whose_reason_the_database_refuses_is_parked_with_a_fixed_one(
    engine, sessions, error
):
    poison, good = await store(engine, b"{}", b"{}")
    handled: list[InboxItem] = []

    async with refusing(engine, "inbox", "last_error", "poison-marker"):
        assert await quick(sessions, {SOURCE: failing_for(poison, error, handled)}).run_once() == 2

    row = await load(sessions, poison)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, UNRECORDABLE)
    assert row.locked_by is None and row.processed_at is not None
    assert [item.id for item in handled] == [good]


async def test_a_row_given_back_unfinished_every_time_is_parked_after_its_attempts(
    engine, sessions
):
    [row_id] = await store(engine, b"{}")
    handled: list[InboxItem] = []
    processor = quick(sessions, {SOURCE: recorder(handled)}, max_attempts=3)
    stopping = asyncio.Event()
    stopping.set()

    for attempt in (1, 2, 3):  # claimed, then given back before it could be handled
        assert await processor.run_once(stopping) == 1
        assert (await load(sessions, row_id)).attempts == attempt

    assert await processor.run_once() == 1
    row = await load(sessions, row_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert handled == []
    [later] = await store(engine, b"{}")
    assert await processor.run_once() == 1
    assert [item.id for item in handled] == [later]


async def test_a_content_type_no_database_takes_is_stored_made_storable_with_its_batch(
    engine, sessions
):
    """The content type is the sender's header; one row's must not fail the batch committed
    with it (every request in it would be refused 503)."""
    writer = InboxWriter(engine)
    writer.start()
    hostile = "application/json; x=\udcff\x00" + "y" * 300
    try:
        await asyncio.gather(
            writer.store(SOURCE, b"{}", "application/json"), writer.store(SOURCE, b"{}", hostile)
        )
    finally:
        await writer.stop()

    async with sessions() as session:
        kept = list(
            await session.scalars(select(InboxMessage.content_type).order_by(InboxMessage.id))
        )
    assert kept[0] == "application/json"
    assert kept[1].startswith("application/json; x=\ufffd") and len(kept[1]) == 128


async def test_the_writer_wakes_the_processor_instead_of_waiting_for_its_poll(engine, sessions):
    handled: list[InboxItem] = []
    processor = quick(sessions, {SOURCE: recorder(handled)}, poll_interval=3600)
    writer = InboxWriter(engine, on_commit=processor.wake)
    writer.start()
    try:
        async with running(processor):
            for n in (1, 2):  # the second arrives while the processor sleeps for its hour
                await writer.store(SOURCE, b"{}", "application/json")
                await eventually(lambda n=n: has_items(handled, n), f"body {n} handled at once")
    finally:
        await writer.stop()


async def has_items(items: list[InboxItem], expected: int = 1) -> bool:
    return len(items) >= expected


async def test_the_app_processes_a_signed_delivery_with_an_injected_handler(aiohttp_client, db_url):
    handled: list[InboxItem] = []
    settings = make_settings(db_url, facebook_app_secret=SECRET)
    app = create_app(settings, inbox_handlers={SOURCE: each(recorder(handled))}, run_worker=False)
    client = await aiohttp_client(app)
    body = facebook_bytes(envelope(comment(1, "Chốt A1")))

    async with client.post(URL, data=body, headers=signed(body)) as response:
        assert response.status == 200

    await eventually(lambda: has_items(handled), "the delivery handled")
    assert [item.body for item in handled] == [body]


async def all_done(sessions: Sessions, expected: int) -> bool:
    return await count(sessions, "done") == expected


# Several processes


async def test_two_processors_on_separate_engines_handle_every_row_exactly_once(db_url, engine):
    ids = await store(engine, *(f'{{"n":{n}}}'.encode() for n in range(200)))
    engines = [create_engine(db_url), create_engine(db_url)]
    try:
        handled: list[tuple[int, str]] = []

        def handler(name: str) -> BodyHandler:
            async def handle(session: AsyncSession, item: InboxItem) -> None:
                handled.append((item.id, name))
                session.add(Staff(telegram_id=item.id, name=name, role="sales"))  # unique id
                await session.flush()
                await asyncio.sleep(random.uniform(0, 0.002))

            return handle

        # A lease about as long as a batch takes, so some run out while rows are handled.
        lease = timedelta(seconds=0.1)
        processors = [
            quick(
                e, {SOURCE: handler(name)}, name=name, batch_size=10, lease=lease, max_attempts=99
            )
            for e, name in zip(map(session_factory, engines), ("one", "two"), strict=True)
        ]
        sessions = session_factory(engine)
        async with running(*processors):
            await eventually(lambda: all_done(sessions, 200), "200 rows done")

        async with sessions() as session:
            owners = dict((await session.execute(select(Staff.telegram_id, Staff.name))).all())
        assert sorted(owners) == ids, "a row's effect is missing"
        assert sorted(handled) == sorted(owners.items()), "a row was handled twice"
        if not is_sqlite(db_url):  # SQLite has one writer: sharing is not its promise
            assert {name for _, name in handled} == {"one", "two"}, "one did everything"
    finally:
        for e in engines:
            await e.dispose()
