"""Applies stored webhook bodies exactly once: claimed by lease, handled in a transaction that
also marks them done, retried with backoff, and given up on (status `failed`) with the reason.

A claim is its own short transaction that counts the attempt and stamps a lease, so a body that
kills its process still uses up its attempts instead of killing every restart. Handling then
runs in transactions of a few rows each, the handlers' effects and the rows' `done` marks
committed together; a row whose handler fails is rolled back and handled again alone, its
failure recorded apart. A crash before that commit leaves the row claimed; once the
lease runs out any processor takes it again. Rows are re-locked (and their owner checked) before
handling, so a processor that lost its lease never applies a body someone else has taken.

Why several rows per commit: a commit costs ~1.5 ms on SQLite through aiosqlite, which would cap
processing far below what the receiver accepts. The time budget (`commit_budget`; 0 gives one
row per transaction) keeps each transaction short, because on SQLite it holds the one write lock
and the one pooled connection that the receiver needs to acknowledge anything: a handler's time
per body adds directly to acknowledgement latency there.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import defer

from chotdon.polling import backoff_delay, poll_until_stopped, worker_name
from orders.tables import utcnow
from webhooks.tables import InboxMessage

log = logging.getLogger(__name__)

PENDING, PROCESSING, DONE, FAILED = "pending", "processing", "done", "failed"


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


InboxHandler = Callable[[AsyncSession, InboxItem], Awaitable[None]]


@dataclass(frozen=True)
class _Outcome:
    status: str  # DONE, FAILED, or PENDING (try again at `retry_at`)
    error: str | None = None
    retry_at: datetime | None = None


class InboxProcessor:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        handlers: Mapping[str, InboxHandler],
        *,
        name: str | None = None,
        batch_size: int = 50,
        max_attempts: int = 5,
        lease: timedelta = timedelta(seconds=60),
        handler_timeout: float = 45.0,  # under the lease; a 1,000-comment body takes seconds
        commit_budget: float = 0.01,
        poll_interval: float = 1.0,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        rng: random.Random | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.handlers = dict(handlers)
        # Called after processed bodies commit: their side effects (cards) are in the outbox.
        self.on_commit = on_commit or (lambda: None)
        self.name = name or worker_name()
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.lease = lease
        self.handler_timeout = handler_timeout
        self.commit_budget = commit_budget
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
        not started go back to the queue uncharged."""
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
        own attempts only, never those of the rows claimed with it."""
        columns = (
            InboxMessage.id,
            InboxMessage.source,
            InboxMessage.body,
            InboxMessage.content_type,
            InboxMessage.received_at,
            InboxMessage.attempts,
        )
        async with self.sessions.begin() as session:
            now = utcnow()
            abandoned = and_(InboxMessage.status == PROCESSING, InboxMessage.locked_until < now)
            due = and_(InboxMessage.status == PENDING, InboxMessage.next_attempt_at <= now)
            rows = []
            for condition, limit in ((abandoned, 1), (due, self.batch_size)):
                query = select(*columns).where(condition).order_by(InboxMessage.id).limit(limit)
                rows = list(await session.execute(query.with_for_update(skip_locked=True)))
                if rows:
                    break
            spent = [row.id for row in rows if row.attempts >= self.max_attempts]
            if spent:
                message = "the processor stopped during the last allowed attempt"
                await self._settle(session, spent, _Outcome(FAILED, message))
            claimed = [row for row in rows if row.attempts < self.max_attempts]
            if claimed:
                await session.execute(
                    update(InboxMessage)
                    .where(InboxMessage.id.in_([row.id for row in claimed]))
                    .values(
                        status=PROCESSING,
                        attempts=InboxMessage.attempts + 1,
                        locked_by=self.name,
                        locked_until=utcnow() + self.lease,
                    )
                )
        items = [
            InboxItem(
                row.id, row.source, row.body, row.content_type, row.received_at, row.attempts + 1
            )
            for row in claimed
        ]
        return items, len(spent)

    async def _handle_chunk(self, items: Sequence[InboxItem]) -> list[InboxItem]:
        """Handle rows in one transaction until the time budget is spent; returns the rest.

        Optimistic: no savepoint per row (on SQLite each statement is a round trip to the
        driver's thread). If any handler raises, or the commit fails, the whole transaction is
        rolled back and its rows are handled again one per transaction, so a bad row neither
        sinks its neighbours nor commits half of its own effects."""
        started = time.monotonic()
        taken: list[InboxItem] = []
        try:
            async with self.sessions.begin() as session:
                owned = await self._lock_owned(session, [item.id for item in items])
                finished: list[int] = []
                for item in items:
                    taken.append(item)
                    if item.id in owned and await self._apply(session, item):
                        finished.append(item.id)
                    if time.monotonic() - started >= self.commit_budget:
                        break
                if finished:
                    await self._settle(session, finished, _Outcome(DONE))
            self.commits += 1
            self.on_commit()
        except Exception as error:
            if not taken:
                raise  # the database, before any handler ran: the run loop backs off
            if len(taken) == 1:
                await self._record_failure(taken[0], error)
            else:
                for item in taken:
                    await self._handle_chunk([item])
        return list(items[len(taken) :])

    async def _lock_owned(self, session: AsyncSession, ids: list[int]) -> set[int]:
        """Lock the rows still leased to us; one whose lease ran out may belong to another."""
        query = select(InboxMessage.id).where(
            InboxMessage.id.in_(ids),
            InboxMessage.status == PROCESSING,
            InboxMessage.locked_by == self.name,
        )
        return set(await session.scalars(query.with_for_update()))

    async def _apply(self, session: AsyncSession, item: InboxItem) -> bool:
        """Run the row's handler; False if there is none (the row is failed with the reason)."""
        handler = self.handlers.get(item.source)
        if handler is None:
            log.error("inbox row %s: no handler for source %r", item.id, item.source)
            message = f"no handler for source {item.source!r}"
            await self._settle(session, [item.id], _Outcome(FAILED, message))
            return False
        async with asyncio.timeout(self.handler_timeout):
            await handler(session, item)
        return True

    async def _record_failure(self, item: InboxItem, error: Exception) -> None:
        """In a transaction of its own, after the one that failed was rolled back."""
        if isinstance(error, Unprocessable):
            log.error("inbox row %s (%s) is unprocessable: %s", item.id, item.source, error)
            outcome = _Outcome(FAILED, f"unprocessable: {error}")
        else:
            log.warning(
                "inbox row %s (%s) attempt %s failed: %r", item.id, item.source, item.attempt, error
            )
            outcome = self._retry_or_fail(item, error)
        async with self.sessions.begin() as session:
            if await self._lock_owned(session, [item.id]):
                await self._settle(session, [item.id], outcome)

    def _retry_or_fail(self, item: InboxItem, error: BaseException) -> _Outcome:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        if item.attempt >= self.max_attempts:
            return _Outcome(FAILED, text)
        delay = backoff_delay(
            item.attempt, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng
        )
        return _Outcome(PENDING, text, utcnow() + timedelta(seconds=delay))

    async def _settle(self, session: AsyncSession, ids: list[int], outcome: _Outcome) -> None:
        values: dict[str, object] = {
            "status": outcome.status,
            "locked_by": None,
            "locked_until": None,
        }
        if outcome.error is not None:
            values["last_error"] = outcome.error
        if outcome.retry_at is not None:
            values["next_attempt_at"] = outcome.retry_at
        if outcome.status in (DONE, FAILED):
            values["processed_at"] = utcnow()
        await session.execute(update(InboxMessage).where(InboxMessage.id.in_(ids)).values(values))

    async def _release(self, items: Sequence[InboxItem]) -> None:
        """Rows claimed but never started: back to the queue, their attempt not counted."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(InboxMessage)
                .where(
                    InboxMessage.id.in_([item.id for item in items]),
                    InboxMessage.status == PROCESSING,
                    InboxMessage.locked_by == self.name,
                )
                .values(
                    status=PENDING,
                    attempts=InboxMessage.attempts - 1,
                    locked_by=None,
                    locked_until=None,
                )
            )


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
        .where(InboxMessage.id == message_id, InboxMessage.status == FAILED)
        .values(
            status=PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            processed_at=None,
            locked_by=None,
            locked_until=None,
        )
    )
    return result.rowcount == 1
