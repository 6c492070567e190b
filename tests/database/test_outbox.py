"""The outbox worker against a real database: at-least-once delivery, backoff, dead letters,
leases that outlive a killed worker, and two workers that never share a job."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.database import create_engine, session_factory
from kernel.outbox.jobs import Job, OutboxJob, enqueue
from kernel.outbox.worker import (
    UNRECORDABLE,
    Delivery,
    Handler,
    OutboxWorker,
    PermanentFailure,
    RetryLater,
    retry_job,
)
from kernel.polling import backoff_delay
from kernel.tables import utcnow
from tests.helpers import DEADLINE_S, refusing

KIND = "test.ping"
Sessions = async_sessionmaker[AsyncSession]


async def queue(sessions: Sessions, key: str, kind: str = KIND, **payload: object) -> int:
    async with sessions.begin() as session:
        await enqueue(session, Job(kind, key, dict(payload)))
    async with sessions() as session:
        return await session.scalar(select(OutboxJob.id).where(OutboxJob.idempotency_key == key))


async def load(sessions: Sessions, job_id: int) -> OutboxJob:
    async with sessions() as session:
        job = await session.get(OutboxJob, job_id)
        assert job is not None
        return job


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll until `check` holds; the deadline is generous, the poll is short."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while not await check():
        if loop.time() > deadline:
            pytest.fail(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.02)


async def job_status_is(sessions: Sessions, job_id: int, status: str) -> bool:
    return (await load(sessions, job_id)).status == status


@asynccontextmanager
async def running(*workers: OutboxWorker) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=DEADLINE_S)


async def exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)


def recorder(into: list[Delivery]) -> Handler:
    async def handle(delivery: Delivery) -> None:
        into.append(delivery)

    return handle


def quick_worker(sessions: Sessions, handlers: dict[str, Handler], **options) -> OutboxWorker:
    options.setdefault("poll_interval", 0.02)
    options.setdefault("backoff_base", 0.05)
    options.setdefault("backoff_cap", 0.2)
    return OutboxWorker(sessions, handlers, rng=random.Random(7), **options)


async def test_a_queued_job_is_delivered_once_and_marked_done(sessions):
    delivered: list[Delivery] = []
    worker = quick_worker(sessions, {KIND: recorder(delivered)}, name="w")
    job_id = await queue(sessions, "order-1:changed", order_id=1)

    async with running(worker):
        await eventually(lambda: job_status_is(sessions, job_id, "done"), "job done")

    assert delivered == [Delivery(job_id, KIND, "order-1:changed", {"order_id": 1}, 1)]
    job = await load(sessions, job_id)
    assert (job.attempts, job.locked_by, job.locked_until) == (1, None, None)
    assert job.finished_at is not None and job.last_error is None


async def test_a_failing_handler_is_retried_with_backoff_until_the_job_is_dead(sessions):
    async def fail(delivery: Delivery) -> None:
        raise ConnectionError(f"telegram down ({delivery.attempt})")

    # A base large enough that "not yet due" cannot be a slow machine's accident.
    worker = quick_worker(sessions, {KIND: fail}, backoff_base=0.4, backoff_cap=2.0)
    job_id = await queue(sessions, "flaky")
    async with sessions.begin() as session:
        await session.execute(update(OutboxJob).values(max_attempts=3))

    previous_due = (await load(sessions, job_id)).next_attempt_at
    failed_at = utcnow()
    assert await worker.run_once() == 1
    for attempt in (1, 2):
        job = await load(sessions, job_id)
        assert (job.status, job.attempts) == ("pending", attempt)
        assert job.last_error == f"ConnectionError: telegram down ({attempt})"
        # Equal jitter: never sooner than half the exponential step.
        least = timedelta(seconds=worker.backoff_base * 2 ** (attempt - 1) / 2)
        assert job.next_attempt_at >= failed_at + least
        assert job.next_attempt_at > previous_due
        previous_due = job.next_attempt_at
        assert await worker.run_once() == 0, "claimed again before its backoff ran out"
        await eventually(lambda due=previous_due: is_past(due), f"attempt {attempt + 1} due")
        failed_at = utcnow()
        assert await worker.run_once() == 1

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("dead", 3)
    assert job.last_error == "ConnectionError: telegram down (3)"
    assert job.finished_at is not None


async def is_past(moment: datetime) -> bool:
    return utcnow() > moment


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(1)
    for attempt, step in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        delays = [backoff_delay(attempt, base=2.0, cap=60.0, rng=rng) for _ in range(50)]
        assert all(step / 2 <= delay <= step for delay in delays)


async def test_a_permanent_failure_is_dead_at_once(sessions):
    async def refuse(delivery: Delivery) -> None:
        raise PermanentFailure("phone number rejected by GHN")

    job_id = await queue(sessions, "refused")
    assert await quick_worker(sessions, {KIND: refuse}).run_once() == 1

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("dead", 1)
    assert job.last_error == "refused: phone number rejected by GHN"


async def test_asked_to_wait_the_job_waits_without_spending_an_attempt(sessions):
    async def throttled(delivery: Delivery) -> None:
        raise RetryLater(120, "rate limited by Facebook")

    job_id = await queue(sessions, "throttled")
    before = datetime.now(UTC)
    for _ in range(3):  # more tries than max_attempts would allow, were they counted
        await quick_worker(sessions, {KIND: throttled}).run_once()
        async with sessions.begin() as session:
            (await session.get(OutboxJob, job_id)).next_attempt_at = datetime.now(UTC)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("pending", 0)
    assert job.last_error == "waiting: rate limited by Facebook"
    await quick_worker(sessions, {KIND: throttled}).run_once()
    job = await load(sessions, job_id)
    assert job.next_attempt_at >= before + timedelta(seconds=119)


# Errors whose text no database takes: the line never stops

HOSTILE = "the carrier said: half an emoji \ud83d, a NUL \x00, the end"
MADE_STORABLE = "the carrier said: half an emoji \ufffd, a NUL , the end"


def failing_for(poison: str, error: Exception, delivered: list[Delivery]) -> Handler:
    async def handle(delivery: Delivery) -> None:
        if delivery.idempotency_key == poison:
            raise error
        delivered.append(delivery)

    return handle


async def test_a_job_whose_error_no_database_takes_is_recorded_retried_and_parked(sessions):
    delivered: list[Delivery] = []
    poison = await queue(sessions, "poison")
    async with sessions.begin() as session:
        await session.execute(update(OutboxJob).values(max_attempts=3))
    good = await queue(sessions, "good")
    worker = quick_worker(sessions, {KIND: failing_for("poison", ValueError(HOSTILE), delivered)})

    async with running(worker):
        await eventually(lambda: job_status_is(sessions, poison, "dead"), "the poison parked")
        await eventually(lambda: job_status_is(sessions, good, "done"), "the job behind it")

    job = await load(sessions, poison)
    assert (job.attempts, job.last_error) == (3, f"ValueError: {MADE_STORABLE}")
    assert [delivery.id for delivery in delivered] == [good]


async def test_a_refusal_whose_words_no_database_takes_is_dead_with_them_storable(sessions):
    poison = await queue(sessions, "poison")
    refusal = PermanentFailure(HOSTILE)

    assert await quick_worker(sessions, {KIND: failing_for("poison", refusal, [])}).run_once()

    job = await load(sessions, poison)
    assert (job.status, job.attempts, job.last_error) == ("dead", 1, f"refused: {MADE_STORABLE}")


@pytest.mark.parametrize(
    "error", [ValueError("poison-marker"), PermanentFailure("poison-marker")], ids=["retry", "dead"]
)
async def test_a_job_whose_error_the_database_refuses_is_parked_with_a_fixed_one(sessions, error):
    delivered: list[Delivery] = []
    poison = await queue(sessions, "poison")
    good = await queue(sessions, "good")
    engine = sessions.kw["bind"]

    async with refusing(engine, "outbox", "last_error", "poison-marker"):
        worker = quick_worker(sessions, {KIND: failing_for("poison", error, delivered)})
        assert await worker.run_once() == 2

    job = await load(sessions, poison)
    assert (job.status, job.attempts, job.last_error) == ("dead", 1, UNRECORDABLE)
    assert job.locked_by is None and job.finished_at is not None
    assert (await load(sessions, good)).status == "done"


async def test_a_job_interrupted_by_shutdown_spends_its_attempt(sessions):
    started = asyncio.Event()

    async def slow(delivery: Delivery) -> None:
        started.set()
        await asyncio.Event().wait()

    job_id = await queue(sessions, "slow")
    delivering = asyncio.create_task(quick_worker(sessions, {KIND: slow}).run_once())
    await asyncio.wait_for(started.wait(), DEADLINE_S)
    delivering.cancel()
    with pytest.raises(asyncio.CancelledError):
        await delivering

    job = await load(sessions, job_id)
    assert (job.status, job.attempts, job.last_error) == ("pending", 1, "interrupted by shutdown")


async def test_a_kind_nobody_handles_is_skipped_with_a_reason(sessions):
    job_id = await queue(sessions, "ghn-1", kind="carrier.create_shipment")
    assert await quick_worker(sessions, {KIND: recorder([])}).run_once() == 1

    job = await load(sessions, job_id)
    assert job.status == "skipped"
    assert "carrier.create_shipment" in (job.last_error or "")


async def test_retry_job_queues_a_dead_job_again_and_it_is_delivered(sessions):
    delivered: list[Delivery] = []

    async def refuse_first(delivery: Delivery) -> None:
        delivered.append(delivery)
        if len(delivered) == 1:
            raise PermanentFailure("shop POS said no")

    worker = quick_worker(sessions, {KIND: refuse_first})
    job_id = await queue(sessions, "handoff")
    await worker.run_once()
    assert (await load(sessions, job_id)).status == "dead"

    async with sessions.begin() as session:
        assert await retry_job(session, job_id)
    job = await load(sessions, job_id)
    assert (job.status, job.attempts, job.finished_at) == ("pending", 0, None)

    assert await worker.run_once() == 1
    job = await load(sessions, job_id)
    assert (job.status, job.attempts, job.last_error) == ("done", 1, "refused: shop POS said no")
    assert [d.attempt for d in delivered] == [1, 1]


@pytest.mark.parametrize("status", ["pending", "running", "done"])
async def test_only_dead_or_skipped_jobs_can_be_retried(sessions, status):
    job_id = await queue(sessions, "k")
    async with sessions.begin() as session:
        await session.execute(update(OutboxJob).values(status=status, attempts=4))
        assert not await retry_job(session, job_id)
        assert not await retry_job(session, job_id + 1000)
    assert (await load(sessions, job_id)).attempts == 4


async def test_the_same_idempotency_key_queues_one_job(sessions):
    await queue(sessions, "order-7:card", text="first")
    async with sessions.begin() as session:
        await enqueue(session, Job(KIND, "order-7:card", {"text": "second"}))
        await enqueue(session, Job(KIND, "order-7:card", {"text": "third"}))
    async with sessions() as session:
        payloads = list(await session.scalars(select(OutboxJob.payload)))
    assert payloads == [{"text": "first"}]


async def test_a_job_queued_in_a_transaction_that_rolls_back_never_exists(sessions):
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            await enqueue(session, Job(KIND, "ghost"))
            raise RuntimeError("the order change failed after queueing")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxJob)) == 0


async def test_two_workers_deliver_every_job_exactly_once_and_never_together(db_url):
    engines = [create_engine(db_url), create_engine(db_url)]
    try:
        first, second = (session_factory(engine) for engine in engines)
        async with first.begin() as session:
            for n in range(200):
                await enqueue(session, Job(KIND, f"job-{n}", {"n": n}))

        deliveries: list[tuple[int, str]] = []
        in_flight: Counter[int] = Counter()
        overlapping: set[int] = set()

        def handler(name: str) -> Handler:
            async def handle(delivery: Delivery) -> None:
                in_flight[delivery.id] += 1
                if in_flight[delivery.id] > 1:
                    overlapping.add(delivery.id)
                deliveries.append((delivery.id, name))
                await asyncio.sleep(random.uniform(0, 0.002))
                in_flight[delivery.id] -= 1

            return handle

        workers = [
            quick_worker(sessions, {KIND: handler(name)}, name=name, batch_size=10)
            for sessions, name in [(first, "one"), (second, "two")]
        ]

        async def all_done() -> bool:
            async with first() as session:
                done = select(func.count()).where(OutboxJob.status == "done")
                return await session.scalar(done) == 200

        async with running(*workers):
            await eventually(all_done, "200 jobs done")

        per_job = Counter(job_id for job_id, _ in deliveries)
        assert len(per_job) == 200 and set(per_job.values()) == {1}
        assert not overlapping
        assert {name for _, name in deliveries} == {"one", "two"}, "one worker did everything"
    finally:
        for engine in engines:
            await engine.dispose()


async def test_jobs_waiting_for_a_free_slot_do_not_outlive_their_lease(db_url):
    """A worker must not claim more than it can start: a job claimed but still queued behind
    slow deliveries would lose its lease and be delivered by two workers."""
    engines = [create_engine(db_url), create_engine(db_url)]
    try:
        first, second = (session_factory(engine) for engine in engines)
        ids = [await queue(first, f"slow-{n}") for n in range(5)]
        deliveries: list[tuple[int, str]] = []

        def handler(name: str) -> Handler:
            async def handle(delivery: Delivery) -> None:
                deliveries.append((delivery.id, name))
                await asyncio.sleep(0.4)

            return handle

        lease = timedelta(seconds=1)
        slow = quick_worker(
            first, {KIND: handler("slow")}, name="slow", lease=lease, concurrency=1, batch_size=5
        )
        other = quick_worker(second, {KIND: handler("other")}, name="other", lease=lease)

        async def all_done() -> bool:
            async with first() as session:
                done = select(func.count()).where(OutboxJob.status == "done")
                return await session.scalar(done) == len(ids)

        async with running(slow):
            await eventually(lambda: has_claimed(first, ids[0]), "the slow worker claimed")
            async with running(other):
                await eventually(all_done, "every job done")

        assert sorted(job_id for job_id, _ in deliveries) == ids
    finally:
        for engine in engines:
            await engine.dispose()


async def has_claimed(sessions: Sessions, job_id: int) -> bool:
    return (await load(sessions, job_id)).status == "running"
