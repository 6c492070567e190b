"""The inbox writer for a SQLite landing file: a thread of its own with a plain sqlite3
connection, so the event loop only queues bodies.

Through SQLAlchemy and aiosqlite (`kernel.inbox.writer.InboxWriter`, kept for PostgreSQL and for an
inbox inside the main database), storing a body cost the event loop its share of every batch's
statement building, parameter handling and the hops to aiosqlite's thread and back: with
50-comment bodies, an eighth of the receiver's busy time (`python -m bench.ingest_http`). Here a
request puts its body on a queue and waits for its future; the thread takes everything waiting,
writes it in one transaction (SQLite lets go of the GIL while it writes), and wakes the loop
once per batch. Group commit works as before: what arrives during a commit goes in the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite as sqlite_dialect

from kernel.database import SQLITE_BUSY_TIMEOUT_S
from kernel.inbox.tables import CONTENT_TYPE_LIMIT
from kernel.inbox.writer import InboxUnavailable, log_refusal
from kernel.storable import storable
from kernel.tables import utcnow
from kernel.work_status import WorkStatus

log = logging.getLogger(__name__)

# The row as `InboxWriter` writes it, columns in the order of `InboxMessage`'s defaults.
INSERT: Final = (
    "INSERT INTO inbox (source, body, content_type, received_at, status, attempts,"
    f" next_attempt_at) VALUES (?, ?, ?, ?, '{WorkStatus.PENDING.value}', 0, ?)"
)
# SQLAlchemy reads these columns back, so they are written in its own text form for them.
_SQLITE: Final = sqlite_dialect.dialect()


def _sqlite_stamp() -> Callable[[datetime], str]:
    process = DateTime().dialect_impl(_SQLITE).bind_processor(_SQLITE)
    # SQLAlchemy types this as "None when the value goes to the driver as is", which SQLite's
    # DateTime never does: it always writes its text form.
    assert process is not None
    return process


_STAMP: Final = _sqlite_stamp()
_STOP: Final = object()


@dataclass
class _Waiting:
    row: tuple[str, bytes, str, str, str]
    stored: asyncio.Future[None] = field(repr=False)


class SqliteLandingWriter:
    """The same interface as `kernel.inbox.writer.InboxWriter`: start, store, stop, and counts."""

    def __init__(
        self,
        path: str,
        *,
        on_commit: Callable[[], None] | None = None,
        max_rows: int = 500,
        max_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.path = path
        self.on_commit = on_commit or (lambda: None)
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.commits = 0
        self.stored = 0
        self._queue: queue.SimpleQueue[_Waiting | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="inbox-landing", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        """Refuse new bodies, commit every one already waiting, then return."""
        self._closed = True
        if self._thread is not None:
            self._queue.put(_STOP)
            await asyncio.to_thread(self._thread.join)

    async def store(
        self, source: str, body: bytes, content_type: str, received_at: datetime | None = None
    ) -> None:
        """Return once `body` is committed; raise `InboxUnavailable` if it was not."""
        thread = self._thread
        if self._closed or thread is None or not thread.is_alive():
            raise InboxUnavailable("the inbox is not accepting bodies (starting or stopping)")
        stamp = _STAMP(received_at or utcnow())
        waiting = _Waiting(
            (source, body, storable(content_type, CONTENT_TYPE_LIMIT), stamp, stamp),
            asyncio.get_running_loop().create_future(),
        )
        self._queue.put(waiting)
        await waiting.stored

    def _run(self) -> None:
        try:
            connection = _connect(self.path)
        except sqlite3.Error:
            log.exception("inbox: cannot open the landing file %s; bodies are refused", self.path)
            return
        try:
            while True:
                batch, stopping = self._next_batch()
                if batch:
                    error = _write(connection, batch)
                    assert self._loop is not None
                    self._loop.call_soon_threadsafe(self._settle, batch, error)
                if stopping:
                    return
        finally:
            connection.close()

    def _next_batch(self) -> tuple[list[_Waiting], bool]:
        """Whatever is waiting now, up to the limits; blocks only while nothing is."""
        first = self._queue.get()
        if first is _STOP:
            return [], True
        assert isinstance(first, _Waiting)
        batch, size = [first], len(first.row[1])
        while len(batch) < self.max_rows and size < self.max_bytes:
            try:
                waiting = self._queue.get_nowait()
            except queue.Empty:
                break
            if waiting is _STOP:
                return batch, True
            assert isinstance(waiting, _Waiting)
            batch.append(waiting)
            size += len(waiting.row[1])
        return batch, False

    def _settle(self, batch: list[_Waiting], error: Exception | None) -> None:
        """On the event loop: answer every request of the batch."""
        if error is None:
            self.commits += 1
            self.stored += len(batch)
        failure = InboxUnavailable(f"the database refused the bodies: {error!r}")
        for waiting in batch:
            if waiting.stored.done():  # the request was cancelled; a committed row stays
                continue
            if error is None:
                waiting.stored.set_result(None)
            else:
                waiting.stored.set_exception(failure)
        if error is None:
            self.on_commit()


def _connect(path: str) -> sqlite3.Connection:
    """As `kernel.database` tunes SQLite connections: WAL, a busy timeout, and transactions
    begun by hand with BEGIN IMMEDIATE."""
    connection = sqlite3.connect(
        path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    return connection


def _write(connection: sqlite3.Connection, batch: list[_Waiting]) -> Exception | None:
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(INSERT, [waiting.row for waiting in batch])
        connection.execute("COMMIT")
    except Exception as error:
        log_refusal(len(batch), error)
        if connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        return error
    return None
