"""Stores accepted webhook bodies with group commit: one writer, one transaction for everyone
waiting, then every request in that transaction is answered.

A commit costs about 1.5 ms on SQLite through aiosqlite whatever it holds, so one commit per
request caps the receiver at a few hundred requests a second. Requests that arrive while a
commit is under way are simply waiting in the queue when it ends, and go together in the next:
batches grow with load by themselves, and an idle writer commits a lone request at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.database import outage_of
from kernel.inbox.tables import CONTENT_TYPE_LIMIT, InboxMessage
from kernel.storable import storable
from kernel.tables import utcnow

log = logging.getLogger(__name__)


class InboxUnavailable(Exception):
    """The body was not stored (the writer is stopping, or the database refused): the request
    must not be answered 2xx, so the platform sends it again."""


@dataclass
class _Waiting:
    row: dict[str, object]
    size: int  # of the body, which the batch limits count
    stored: asyncio.Future[None] = field(repr=False)


_STOP = None


class InboxWriter:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        on_commit: Callable[[], None] | None = None,
        max_rows: int = 500,
        max_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.engine = engine
        self.on_commit = on_commit or (lambda: None)
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.commits = 0  # transactions committed; fewer than `stored` under load
        self.stored = 0
        self._queue: asyncio.Queue[_Waiting | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        """Refuse new bodies, commit every one already waiting, then return."""
        self._closed = True
        if self._task is not None:
            self._queue.put_nowait(_STOP)
            await self._task

    async def store(
        self, source: str, body: bytes, content_type: str, received_at: datetime | None = None
    ) -> None:
        """Return once `body` is committed; raise `InboxUnavailable` if it was not. The content
        type is the sender's header: made storable, so one row cannot fail a whole batch."""
        if self._closed or self._task is None or self._task.done():
            raise InboxUnavailable("the inbox is not accepting bodies (starting or stopping)")
        row = {
            "source": source,
            "body": body,
            "content_type": storable(content_type, CONTENT_TYPE_LIMIT),
            "received_at": received_at or utcnow(),
        }
        waiting = _Waiting(row, len(body), asyncio.get_running_loop().create_future())
        self._queue.put_nowait(waiting)
        await waiting.stored

    async def _run(self) -> None:
        while True:
            batch, stopping = await self._next_batch()
            if batch:
                await self._commit(batch)
            if stopping:
                return

    async def _next_batch(self) -> tuple[list[_Waiting], bool]:
        """Whatever is waiting now, up to the limits; blocks only while nothing is."""
        first = await self._queue.get()
        if first is _STOP:
            return [], True
        batch, size = [first], first.size
        while len(batch) < self.max_rows and size < self.max_bytes and not self._queue.empty():
            waiting = self._queue.get_nowait()
            if waiting is _STOP:
                return batch, True
            batch.append(waiting)
            size += waiting.size
        return batch, False

    async def _commit(self, batch: list[_Waiting]) -> None:
        try:
            async with self.engine.begin() as connection:
                await connection.execute(insert(InboxMessage), [w.row for w in batch])
        except Exception as error:
            log_refusal(len(batch), error)
            failure = InboxUnavailable(f"the database refused the bodies: {error!r}")
            for waiting in batch:
                if not waiting.stored.done():
                    waiting.stored.set_exception(failure)
            return
        self.commits += 1
        self.stored += len(batch)
        for waiting in batch:
            if not waiting.stored.done():  # the request may have been cancelled; the row stays
                waiting.stored.set_result(None)
        self.on_commit()


def log_refusal(count: int, error: BaseException) -> None:
    """An outage (the database unreachable, read-only, full) is expected and says all in one
    line; anything else is a bug and keeps its traceback."""
    outage = outage_of(error)
    if outage is not None:
        log.warning(
            "inbox: could not store %d bodies (%s); they are refused", count, outage.name.lower()
        )
    else:
        log.error("inbox: could not store %d bodies; they are refused", count, exc_info=error)
