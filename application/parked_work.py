"""Work the machinery gave up on and a person should look at: webhook bodies the inbox parked
(`failed`: unreadable, or still failing after every attempt) and side effects the outbox let
die (`dead`). The managers' screen lists and counts them and queues one again once its cause is
fixed, with the same functions as `chotdon inbox retry` and `chotdon outbox retry`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.services import OrderService
from kernel.inbox.processor import list_messages, retry_message
from kernel.inbox.tables import InboxMessage
from kernel.outbox.jobs import OutboxJob
from kernel.outbox.worker import list_jobs, retry_job
from kernel.work_status import WorkStatus
from render.strings import carrier_name

LIST_LIMIT: Final = 100
REASON_LIMIT: Final = 300  # a reason is for recognising the trouble; the CLI has the rest
INBOX: Final = "inbox"
OUTBOX: Final = "outbox"


@dataclass(frozen=True, slots=True)
class ParkedRow:
    """One parked inbox body or outbox job as the screen lists it."""

    id: int
    what: str  # the sender (Facebook, GHN, ...) or the job's kind
    at: datetime
    attempts: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParkedWork:
    inbox: tuple[ParkedRow, ...]  # newest first, at most LIST_LIMIT
    outbox: tuple[ParkedRow, ...]


async def parked_count(session: AsyncSession) -> int:
    """Parked inbox bodies and dead outbox jobs together: the number the menu shows."""
    bodies = await session.scalar(
        select(func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.status == WorkStatus.FAILED)
    )
    jobs = await session.scalar(
        select(func.count()).select_from(OutboxJob).where(OutboxJob.status == WorkStatus.DEAD)
    )
    return int(bodies or 0) + int(jobs or 0)


async def count_parked(service: OrderService) -> int:
    async with service.reading() as session:
        return await parked_count(session)


async def parked_work(service: OrderService) -> ParkedWork:
    async with service.reading() as session:
        bodies = await list_messages(session, (WorkStatus.FAILED,), LIST_LIMIT)
        jobs = await list_jobs(session, (WorkStatus.DEAD,), LIST_LIMIT)
        inbox = tuple(
            ParkedRow(m.id, _sender(m.source), m.received_at, m.attempts, _reason(m.last_error))
            for m in bodies
        )
        outbox = tuple(
            ParkedRow(
                j.id, j.kind, j.finished_at or j.created_at, j.attempts, _reason(j.last_error)
            )
            for j in jobs
        )
    return ParkedWork(inbox, outbox)


async def retry_parked(service: OrderService, kind: str, row_id: int) -> bool:
    """Queue a parked row (`kind` INBOX or OUTBOX) again with a fresh set of attempts; False
    when there is no such parked row (someone else queued it first) or no such kind."""
    if kind not in (INBOX, OUTBOX):
        return False
    async with service.transaction() as session:
        if kind == INBOX:
            return await retry_message(session, row_id)
        return await retry_job(session, row_id)


def _sender(source: str) -> str:
    return "Facebook" if source == "facebook" else carrier_name(source)


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    return reason if len(reason) <= REASON_LIMIT else reason[:REASON_LIMIT] + "…"
