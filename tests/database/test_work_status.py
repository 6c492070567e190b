"""Both workers' rows start `pending` as `WorkStatus` says, on both databases, so a job
written by the domain and a body landed by a receiver are picked up by their worker."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.inbox.tables import InboxMessage
from kernel.outbox.jobs import Job, OutboxJob, enqueue_many
from kernel.work_status import INBOX_STATUSES, OUTBOX_STATUSES, WorkStatus


async def test_jobs_queued_by_the_domain_start_pending(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await enqueue_many(session, [Job("order.changed", "k1"), Job("order.changed", "k2")])
    async with sessions() as session:
        statuses = list(await session.scalars(select(OutboxJob.status).order_by(OutboxJob.id)))
    assert statuses == [WorkStatus.PENDING, WorkStatus.PENDING]


async def test_bodies_stored_without_a_status_start_pending(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        session.add(InboxMessage(source="facebook", body=b"{}"))
    async with sessions() as session:
        assert await session.scalar(select(InboxMessage.status)) == WorkStatus.PENDING


def test_each_worker_has_its_own_claimed_and_parked_names() -> None:
    shared = set(INBOX_STATUSES) & set(OUTBOX_STATUSES)
    assert shared == {WorkStatus.PENDING, WorkStatus.DONE}
    assert set(INBOX_STATUSES) | set(OUTBOX_STATUSES) == set(WorkStatus)
    assert all(len(status) <= 16 for status in WorkStatus), "the status columns are String(16)"
