"""Delivers outbox jobs at least once, with backoff, leases and a dead-letter state.

Claiming is a short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on
SQLite) that stamps the job with this worker's name and a lease; delivery happens outside any
transaction; the result is written only if the lease is still ours. A worker killed mid-way
leaves its jobs `running` until the lease runs out, then any worker takes them again.

Every claim is charged, also one interrupted by shutdown; only a wait the other side asked for
(`RetryLater`, an outcome that was recorded) gives its attempt back. The error a job ends with
is often another system's words (a carrier's refusal, Graph's message), so it is made storable
before it is written (`kernel.storable`); should writing it fail anyway, the job is parked
(`dead`) with a fixed reason instead of being left `running` to come back after every lease.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.database import rows_changed
from kernel.metrics import Metrics
from kernel.outbox.jobs import OutboxJob
from kernel.polling import backoff_delay, poll_until_stopped, worker_name
from kernel.storable import describe, message_of, storable_or_none
from kernel.tables import utcnow
from kernel.work_status import WorkStatus

log = logging.getLogger(__name__)

UNRECORDABLE = "failed, and the reason could not be stored (see the worker's log)"


@dataclass(frozen=True)
class Delivery:
    """What a handler gets: the job's data and the key to pass on for idempotency."""

    id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int = 10

    @property
    def is_last_attempt(self) -> bool:
        """A handler about to fail a passing error for the last time tells people so."""
        return self.attempt >= self.max_attempts


class PermanentFailure(Exception):
    """A handler raises this when retrying cannot help (e.g. the carrier refused the data)."""


class RetryLater(Exception):
    """A handler raises this when the other side asked us to wait (a rate limit): the job is
    tried again after `delay` seconds and the attempt is not counted against it."""

    def __init__(self, delay: float, reason: str = "") -> None:
        super().__init__(reason or f"asked to wait {delay:.0f} s")
        self.delay = max(0.0, delay)


Handler = Callable[[Delivery], Awaitable[None]]


class OutboxWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        handlers: Mapping[str, Handler],
        *,
        metrics: Metrics | None = None,
        name: str | None = None,
        batch_size: int = 20,
        concurrency: int = 8,
        lease: timedelta = timedelta(minutes=5),
        poll_interval: float = 0.5,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        rng: random.Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.handlers = dict(handlers)
        self.metrics = metrics
        self.name = name or worker_name()
        # Never claim more than can start at once: a claimed job waiting for a free slot would
        # use up its lease before it even starts, and another worker would take it over.
        self.batch_size = min(batch_size, concurrency)
        self.lease = lease
        self.poll_interval = poll_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rng = rng or random.Random()
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for work now rather than at the next poll (called after a commit that queued)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; deliveries under way finish before this returns."""
        await poll_until_stopped(
            self._step,
            stop=stop,
            wake=self._wake,
            poll_interval=self.poll_interval,
            what=f"outbox worker {self.name}",
            log=log,
        )

    async def _step(self) -> int:
        handled = await self.run_once()
        await self.refresh_backlog()
        return handled

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many jobs were claimed or skipped."""
        jobs, skipped = await self._claim()
        if jobs:
            await asyncio.gather(*(self._deliver(job) for job in jobs))
        return len(jobs) + skipped

    async def _claim(self) -> tuple[list[Delivery], int]:
        now = utcnow()
        claimable = or_(
            and_(OutboxJob.status == WorkStatus.PENDING, OutboxJob.next_attempt_at <= now),
            and_(OutboxJob.status == WorkStatus.RUNNING, OutboxJob.locked_until < now),
        )
        async with self.sessions.begin() as session:
            skipped = await self._skip_unhandled(session, now)
            rows = list(
                await session.scalars(
                    select(OutboxJob)
                    .where(claimable, OutboxJob.kind.in_(list(self.handlers)))
                    .order_by(OutboxJob.next_attempt_at, OutboxJob.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            claimed: list[Delivery] = []
            for job in rows:
                if job.status == WorkStatus.RUNNING and job.attempts >= job.max_attempts:
                    self._finish(
                        job, WorkStatus.DEAD, "the worker stopped during the last allowed attempt"
                    )
                    continue
                job.status = WorkStatus.RUNNING
                job.attempts += 1
                job.locked_by = self.name
                job.locked_until = utcnow() + self.lease  # from now: the lock wait is not ours
                claimed.append(
                    Delivery(
                        job.id,
                        job.kind,
                        job.idempotency_key,
                        dict(job.payload),
                        job.attempts,
                        job.max_attempts,
                    )
                )
        return claimed, skipped

    async def _skip_unhandled(self, session: AsyncSession, now: datetime) -> int:
        """Jobs of a kind this service does not deliver (the bot is not configured, say) end
        `skipped` with the reason, all in one statement: a live's storm of `order.changed`
        jobs must not cost a transaction each when nobody is there to tell."""
        reason = literal("no handler for '") + OutboxJob.kind + literal("': feature not configured")
        result = await session.execute(
            update(OutboxJob)
            .where(
                OutboxJob.status == WorkStatus.PENDING,
                OutboxJob.next_attempt_at <= now,
                OutboxJob.kind.not_in(list(self.handlers)),
            )
            .values(status=WorkStatus.SKIPPED, finished_at=now, last_error=reason)
            .returning(OutboxJob.kind)
        )
        kinds = Counter(result.scalars())
        if self.metrics:
            for kind, count in kinds.items():
                self.metrics.outbox_deliveries.labels(kind, WorkStatus.SKIPPED).inc(count)
        return kinds.total()

    async def _deliver(self, job: Delivery) -> None:
        handler = self.handlers[job.kind]  # only kinds with a handler are claimed
        async with self._slots:
            try:
                async with asyncio.timeout(self.lease.total_seconds() * 0.8):
                    await handler(job)
            except PermanentFailure as error:
                await self._record(job, WorkStatus.DEAD, f"refused: {message_of(error)}")
            except RetryLater as wait:
                await self._record(
                    job, WorkStatus.PENDING, f"waiting: {wait}", delay=wait.delay, refund=True
                )
            except asyncio.CancelledError:
                await asyncio.shield(
                    self._record(job, WorkStatus.PENDING, "interrupted by shutdown", delay=0)
                )
                raise
            except Exception as error:
                reason = describe(error)
                log.warning(
                    "outbox job %s (%s) attempt %s failed: %s",
                    job.id,
                    job.kind,
                    job.attempt,
                    reason,
                )
                await self._record(job, WorkStatus.PENDING, reason)
            else:
                await self._record(job, WorkStatus.DONE, None)

    async def _record(
        self,
        job: Delivery,
        outcome: str,
        error: str | None,
        *,
        delay: float | None = None,
        refund: bool = False,
    ) -> None:
        """Write how the attempt ended; if that fails (even made storable, the reason could
        not be written), park the job with a fixed reason."""
        try:
            outcome = await self._write(job, outcome, storable_or_none(error), delay, refund)
        except Exception:
            if error is None:
                raise  # no text of theirs to blame but the database: the lease brings it back
            log.exception("outbox job %s (%s): cannot record how it ended", job.id, job.kind)
            outcome = await self._write(job, WorkStatus.DEAD, UNRECORDABLE, None, False)
        if self.metrics:
            self.metrics.outbox_deliveries.labels(job.kind, outcome).inc()

    async def _write(
        self, job: Delivery, outcome: str, error: str | None, delay: float | None, refund: bool
    ) -> str:
        """`refund` gives the attempt back (we were told to wait), and `delay` overrides the
        backoff. Returns the outcome written (a last failed attempt is `dead`)."""
        async with self.sessions.begin() as session:
            row = await session.scalar(
                select(OutboxJob)
                .where(OutboxJob.id == job.id, OutboxJob.locked_by == self.name)
                .with_for_update()
            )
            if row is None:  # our lease ran out and someone else owns it now
                return outcome
            if refund:
                row.attempts = max(0, row.attempts - 1)
            elif outcome == WorkStatus.PENDING and row.attempts >= row.max_attempts:
                outcome = WorkStatus.DEAD
            if outcome == WorkStatus.PENDING:
                if delay is None:
                    delay = backoff_delay(
                        row.attempts, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng
                    )
                row.status = WorkStatus.PENDING
                row.next_attempt_at = utcnow() + timedelta(seconds=delay)
                row.locked_by = row.locked_until = None
                row.last_error = error
            else:
                self._finish(row, outcome, error)
        return outcome

    @staticmethod
    def _finish(row: OutboxJob, status: str, error: str | None) -> None:
        row.status = status
        row.finished_at = utcnow()
        row.locked_by = row.locked_until = None
        if error is not None:
            row.last_error = error

    async def refresh_backlog(self) -> None:
        if self.metrics is None:
            return
        async with self.sessions() as session:
            counts = dict(
                (
                    await session.execute(
                        select(OutboxJob.status, func.count())
                        .where(
                            OutboxJob.status.in_(
                                (WorkStatus.PENDING, WorkStatus.RUNNING, WorkStatus.DEAD)
                            )
                        )
                        .group_by(OutboxJob.status)
                    )
                ).all()
            )
        for status in (WorkStatus.PENDING, WorkStatus.RUNNING, WorkStatus.DEAD):
            self.metrics.outbox_backlog.labels(status).set(counts.get(status, 0))


async def list_jobs(
    session: AsyncSession, statuses: tuple[str, ...] | None, limit: int = 100
) -> list[OutboxJob]:
    query = select(OutboxJob).order_by(OutboxJob.id.desc()).limit(limit)
    if statuses:
        query = query.where(OutboxJob.status.in_(statuses))
    return list(await session.scalars(query))


async def retry_job(session: AsyncSession, job_id: int, now: datetime | None = None) -> bool:
    """Put a dead or skipped job back in the queue with a fresh set of attempts."""
    result = await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.status.in_((WorkStatus.DEAD, WorkStatus.SKIPPED)))
        .values(
            status=WorkStatus.PENDING,
            attempts=0,
            next_attempt_at=now or utcnow(),
            finished_at=None,
            locked_by=None,
            locked_until=None,
        )
    )
    return rows_changed(result) == 1
