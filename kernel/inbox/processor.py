"""Applies stored webhook bodies exactly once: claimed by lease, handled in a transaction that
also marks them done, retried with backoff, and given up on (status `failed`) with the reason.

A claim is its own short transaction that counts the attempt and stamps a lease, so a body that
kills its process still uses up its attempts instead of killing every restart. Handling then
runs in chunks of rows, each chunk one transaction: a handler gets all of the chunk's rows of
its source at once (a live's comments arrive one per request; applied together they cost a
few statements, not a few per comment), and their effects and `done` marks commit together.
If a chunk fails, it is rolled back and its rows handled again one per transaction, so a bad
row neither sinks its neighbours nor commits half of its own effects; its failure is recorded
apart. A crash before that commit leaves the rows claimed; once the lease runs out any
processor takes them again. Rows are re-locked (and their owner checked) before handling, so a
processor that lost its lease never applies a body someone else has taken.

Chunks are cut by the bytes of their bodies (`chunk_bytes`; 0 gives one row per transaction),
which tracks the work in them. On SQLite the receiver stores bodies in a file of its own, which
this processor only reads (`kernel.inbox.landing`): it copies them into the inbox table here first.

The line never stops. Every claim is charged, also one given back unfinished (the processor
stopping, the database failing between claim and handling): a row whose outcome can never be
written still runs out of attempts and is parked (`failed`, the dead letter: `chotdon inbox
list --failed`) while the rows behind it flow on. Recording a failure cannot fail because of
what the body holds: every reason is made storable first (`kernel.storable`), and should
writing it fail anyway, the row is parked with a fixed reason instead of being given back.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import defer

from kernel.database import read_only, rows_changed
from kernel.inbox.landing import Landing
from kernel.inbox.tables import InboxMessage
from kernel.polling import backoff_delay, poll_until_stopped, worker_name
from kernel.storable import describe, message_of, storable
from kernel.tables import utcnow
from kernel.work_status import WorkStatus

log = logging.getLogger(__name__)

# When even a made-safe reason could not be written: the row is parked with this one.
UNRECORDABLE = "failed, and the reason could not be stored (see the processor's log)"


@dataclass(frozen=True)
class InboxItem:
    """One stored body as a handler sees it; `attempt` counts from 1."""

    id: int
    source: str
    body: bytes
    content_type: str
    received_at: datetime
    attempt: int = 1


class Unprocessable(Exception):
    """A handler raises this for a body that authenticated but cannot be understood: retrying
    cannot help, so the row fails at once with this message and waits for a person."""


# Failures that come from the body itself, whoever raised them: retrying cannot help either.
_FROM_THE_BODY = (Unprocessable, RecursionError)


InboxHandler = Callable[[AsyncSession, Sequence[InboxItem]], Awaitable[None]]
"""Applies stored bodies of one source, in order, in the caller's transaction (or raises)."""


BodyHandler = Callable[[AsyncSession, InboxItem], Awaitable[None]]


def each(handle: BodyHandler) -> InboxHandler:
    """An `InboxHandler` from a function that applies one body (sources with little traffic)."""

    async def handle_all(session: AsyncSession, items: Sequence[InboxItem]) -> None:
        for item in items:
            await handle(session, item)

    return handle_all


@dataclass(frozen=True)
class _Outcome:
    status: WorkStatus  # DONE, FAILED, or PENDING (try again at `retry_at`)
    error: str | None = None
    retry_at: datetime | None = None


class InboxProcessor:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        handlers: Mapping[str, InboxHandler],
        *,
        name: str | None = None,
        batch_size: int = 500,
        max_attempts: int = 5,
        lease: timedelta = timedelta(seconds=60),
        handler_timeout: float = 45.0,  # under the lease; a 1,000-comment body takes seconds
        chunk_bytes: int = 256 * 1024,
        poll_interval: float = 1.0,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        rng: random.Random | None = None,
        on_commit: Callable[[], None] | None = None,
        landing: Landing | None = None,
    ) -> None:
        self.sessions = sessions
        # Where the receiver stores bodies, when that is a SQLite file of its own.
        self.landing = landing
        self.handlers = dict(handlers)
        # Called after processed bodies commit: their side effects (cards) are in the outbox.
        self.on_commit = on_commit or (lambda: None)
        self.name = name or worker_name()
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.lease = lease
        self.handler_timeout = handler_timeout
        self.chunk_bytes = chunk_bytes
        self.poll_interval = poll_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rng = rng or random.Random()
        self.commits = 0  # handling transactions committed, for tests and benchmarks
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for work now rather than at the next poll (the writer calls it after a commit)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Process until `stop` is set; the transaction under way finishes and rows claimed but
        not started go back to the queue, their attempt spent like any other."""
        await poll_until_stopped(
            lambda: self.run_once(stop),
            stop=stop,
            wake=self._wake,
            poll_interval=self.poll_interval,
            what=f"inbox processor {self.name}",
            log=log,
        )

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim one batch and handle it; returns how many rows were claimed or settled."""
        if self.landing is not None:
            await self.landing.take_in(self.sessions)
        items, settled = await self._claim()
        rest = items
        try:
            while rest and not (stop and stop.is_set()):
                rest = await self._handle_chunk(rest)
        finally:
            if rest:
                await asyncio.shield(self._release(rest))
        return len(items) + settled

    async def _claim(self) -> tuple[list[InboxItem], int]:
        """Rows whose processor died come alone, so a body that kills its process charges its
        own attempts only, never those of the rows claimed with it. The claim takes ids only;
        the bodies are read after it commits, so the write lock is held as briefly as can be
        (on SQLite the receiver needs it for every acknowledgement)."""
        columns = (InboxMessage.id, InboxMessage.attempts)
        async with self.sessions.begin() as session:
            now = utcnow()
            abandoned = and_(
                InboxMessage.status == WorkStatus.PROCESSING, InboxMessage.locked_until < now
            )
            due = and_(
                InboxMessage.status == WorkStatus.PENDING, InboxMessage.next_attempt_at <= now
            )
            rows = []
            for condition, limit in ((abandoned, 1), (due, self.batch_size)):
                query = select(*columns).where(condition).order_by(InboxMessage.id).limit(limit)
                rows = list(await session.execute(query.with_for_update(skip_locked=True)))
                if rows:
                    break
            spent = [row.id for row in rows if row.attempts >= self.max_attempts]
            if spent:
                message = "the processor stopped during the last allowed attempt"
                await self._settle(session, spent, _Outcome(WorkStatus.FAILED, message))
            attempts = {
                row.id: row.attempts + 1 for row in rows if row.attempts < self.max_attempts
            }
            if attempts:
                await session.execute(
                    update(InboxMessage)
                    .where(InboxMessage.id.in_(list(attempts)))
                    .values(
                        status=WorkStatus.PROCESSING,
                        attempts=InboxMessage.attempts + 1,
                        locked_by=self.name,
                        locked_until=utcnow() + self.lease,
                    )
                )
        return await self._read_claimed(attempts), len(spent)

    async def _read_claimed(self, attempts: dict[int, int]) -> list[InboxItem]:
        if not attempts:
            return []
        query = (
            select(
                InboxMessage.id,
                InboxMessage.source,
                InboxMessage.body,
                InboxMessage.content_type,
                InboxMessage.received_at,
            )
            .where(InboxMessage.id.in_(list(attempts)))
            .order_by(InboxMessage.id)
        )
        async with self.sessions() as session:
            await read_only(session)  # the claim has committed: these rows are ours
            rows = await session.execute(query)
            return [
                InboxItem(
                    row.id,
                    row.source,
                    row.body,
                    row.content_type,
                    row.received_at,
                    attempts[row.id],
                )
                for row in rows
            ]

    async def _handle_chunk(self, items: Sequence[InboxItem]) -> list[InboxItem]:
        """Handle the first chunk of `items` in one transaction; returns the rest.

        Optimistic: no savepoint per row (on SQLite each statement is a round trip to the
        driver's thread). If a handler raises, or the commit fails, the whole transaction is
        rolled back and its rows are handled again one per transaction."""
        chunk = _first_chunk(items, self.chunk_bytes)
        started = False
        try:
            async with self.sessions.begin() as session:
                owned = await self._lock_owned(session, [item.id for item in chunk])
                started = True
                done, orphans = await self._run_handlers(session, chunk, owned)
                await self._settle_chunk(session, done, orphans)
            self.commits += 1
            self.on_commit()
        except Exception as error:
            if not started:
                raise  # the database, before any handler ran: the run loop backs off
            if len(chunk) == 1:
                await self._record_failure(chunk[0], error)
            else:
                for item in chunk:
                    await self._handle_chunk([item])
        return list(items[len(chunk) :])

    async def _run_handlers(
        self, session: AsyncSession, chunk: Sequence[InboxItem], owned: set[int]
    ) -> tuple[list[int], list[InboxItem]]:
        """Each source's rows to its handler; returns the ids handled and the rows of sources
        nobody handles."""
        done: list[int] = []
        orphans: list[InboxItem] = []
        mine = [item for item in chunk if item.id in owned]
        for source, run in groupby(mine, key=lambda item: item.source):
            batch = list(run)
            handler = self.handlers.get(source)
            if handler is None:
                orphans += batch
                continue
            async with asyncio.timeout(self.handler_timeout):
                await handler(session, batch)
            done += [item.id for item in batch]
        return done, orphans

    async def _settle_chunk(
        self, session: AsyncSession, done: list[int], orphans: list[InboxItem]
    ) -> None:
        if done:
            await self._settle(session, done, _Outcome(WorkStatus.DONE))
        for source in sorted({item.source for item in orphans}):
            ids = [item.id for item in orphans if item.source == source]
            log.error("inbox rows %s: no handler for source %r", ids, source)
            outcome = _Outcome(WorkStatus.FAILED, f"no handler for source {source!r}")
            await self._settle(session, ids, outcome)

    async def _lock_owned(self, session: AsyncSession, ids: list[int]) -> set[int]:
        """Lock the rows still leased to us; one whose lease ran out may belong to another."""
        query = select(InboxMessage.id).where(
            InboxMessage.id.in_(ids),
            InboxMessage.status == WorkStatus.PROCESSING,
            InboxMessage.locked_by == self.name,
        )
        return set(await session.scalars(query.with_for_update()))

    async def _record_failure(self, item: InboxItem, error: Exception) -> None:
        """In a transaction of its own, after the one that failed was rolled back. If even that
        cannot be written, the row is parked with a fixed reason rather than given back to be
        taken first again."""
        described = _reason(error)
        if isinstance(error, _FROM_THE_BODY):
            log.error("inbox row %s (%s) is unprocessable: %s", item.id, item.source, described)
            outcome = _Outcome(WorkStatus.FAILED, f"unprocessable: {described}")
        else:
            log.warning(
                "inbox row %s (%s) attempt %s failed: %s",
                item.id,
                item.source,
                item.attempt,
                described,
            )
            outcome = self._retry_or_fail(item, described)
        try:
            await self._settle_owned(item, outcome)
        except Exception:
            log.exception("inbox row %s (%s): cannot record why it failed", item.id, item.source)
            await self._settle_owned(item, _Outcome(WorkStatus.FAILED, UNRECORDABLE))

    async def _settle_owned(self, item: InboxItem, outcome: _Outcome) -> None:
        async with self.sessions.begin() as session:
            if await self._lock_owned(session, [item.id]):
                await self._settle(session, [item.id], outcome)

    def _retry_or_fail(self, item: InboxItem, text: str) -> _Outcome:
        if item.attempt >= self.max_attempts:
            return _Outcome(WorkStatus.FAILED, text)
        delay = backoff_delay(
            item.attempt, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng
        )
        return _Outcome(WorkStatus.PENDING, text, utcnow() + timedelta(seconds=delay))

    async def _settle(self, session: AsyncSession, ids: list[int], outcome: _Outcome) -> None:
        values: dict[str, object] = {
            "status": outcome.status,
            "locked_by": None,
            "locked_until": None,
        }
        if outcome.error is not None:
            values["last_error"] = storable(outcome.error)
        if outcome.retry_at is not None:
            values["next_attempt_at"] = outcome.retry_at
        if outcome.status in (WorkStatus.DONE, WorkStatus.FAILED):
            values["processed_at"] = utcnow()
        await session.execute(update(InboxMessage).where(InboxMessage.id.in_(ids)).values(values))

    async def _release(self, items: Sequence[InboxItem]) -> None:
        """Rows claimed but never started: back to the queue, their attempt counted. Given back
        uncharged, a row whose handling keeps ending this way would be taken first for ever."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(InboxMessage)
                .where(
                    InboxMessage.id.in_([item.id for item in items]),
                    InboxMessage.status == WorkStatus.PROCESSING,
                    InboxMessage.locked_by == self.name,
                )
                .values(status=WorkStatus.PENDING, locked_by=None, locked_until=None)
            )


def _reason(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply to read"
    return message_of(error) if isinstance(error, Unprocessable) else describe(error)


def _first_chunk(items: Sequence[InboxItem], budget: int) -> Sequence[InboxItem]:
    """The leading rows whose bodies fit in `budget` bytes, and always at least one."""
    used = 0
    for count, item in enumerate(items):
        used += len(item.body)
        if count and (used > budget or budget <= 0):
            return items[:count]
    return items


async def list_messages(
    session: AsyncSession, statuses: Sequence[str] | None = None, limit: int = 100
) -> list[InboxMessage]:
    """Newest first, without the bodies: a list is for people, bodies can be a megabyte."""
    query = (
        select(InboxMessage)
        .options(defer(InboxMessage.body))
        .order_by(InboxMessage.id.desc())
        .limit(limit)
    )
    if statuses:
        query = query.where(InboxMessage.status.in_(statuses))
    return list(await session.scalars(query))


async def retry_message(session: AsyncSession, message_id: int) -> bool:
    """Queue a failed row again with a fresh set of attempts (e.g. once its handler is fixed)."""
    result = await session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == message_id, InboxMessage.status == WorkStatus.FAILED)
        .values(
            status=WorkStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            processed_at=None,
            locked_by=None,
            locked_until=None,
        )
    )
    return rows_changed(result) == 1
