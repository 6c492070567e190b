"""Routes for machines that watch the service: the load balancer and Prometheus.

`/healthz` is 200 only while the service can take writes where it must: the webhook inbox
(where a platform's delivery is stored before it is answered) and the main database. A
`SELECT 1` would answer on a read-only database and on a full disk, where every webhook is
refused with 503; so each probe writes the heartbeat row in a short transaction of its own,
and for a SQLite file also looks at the free space of its folder. The lock wait is short
but longer than a chunk of a long write holds the lock (`application.catalog_import`), so such a
write never reads as an outage; and the answer is kept for a second, so a load balancer
polling hard costs one probe a second. Past that second the last answer is still given at once
while a new probe runs behind it (up to `STALE_S`): a health check never waits for a write that
a busy machine makes slow, yet says what the last second's probe found.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from aiohttp import web
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from application.live_reads import comment_sources
from chotdon.runtime import METRICS, RUNTIME, SETTINGS
from kernel.database import Outage, create_engine, is_sqlite, outage_of
from kernel.heartbeat import Heartbeat, beat
from livestream.sources import SOURCES

log = logging.getLogger(__name__)

CACHE_S: Final = 1.0
STALE_S: Final = 10.0  # an answer this old is not given without a new probe first
LOCK_WAIT_S: Final = 2.0  # a chunk of a long write holds the lock for a small part of this
DEADLINE_S: Final = 5.0  # the whole probe, connecting included
MB: Final = 1024 * 1024


@dataclass(frozen=True)
class Health:
    ok: bool
    message: str = ""  # for the load balancer's operator, in the answer
    detail: str = ""  # the driver's words, for the log only


OK: Final = Health(True)


class _Target:
    """One database the service writes to, probed over a connection of its own (no pool: a
    fresh connection sees a database switched to read-only at once, and never waits in the
    service's pool queue)."""

    def __init__(self, url: str, *, min_free_bytes: int) -> None:
        self.sqlite = is_sqlite(url)
        path = make_url(url).database or ""
        self.file = Path(path) if self.sqlite and path not in ("", ":memory:") else None
        self.name = self.file.name if self.file else "the database"
        self.min_free_bytes = min_free_bytes
        options = {"connect_args": {"timeout": DEADLINE_S}} if not self.sqlite else {}
        self.engine: AsyncEngine = create_engine(
            url, poolclass=NullPool, busy_timeout_s=LOCK_WAIT_S, **options
        )
        self._has_table = False

    async def health(self) -> Health:
        if self.file is not None:
            free = await asyncio.to_thread(_free_bytes, self.file.parent)
            if free is not None and free < self.min_free_bytes:
                return Health(
                    False,
                    f"The disk holding {self.name} is full: {free // MB} MB free, "
                    f"less than {self.min_free_bytes // MB} MB.",
                )
        try:
            async with asyncio.timeout(DEADLINE_S):
                # On SQLite the engine begins with BEGIN IMMEDIATE: the write lock is taken here.
                async with self.engine.begin() as connection:
                    outage = await self._write(connection)
        except TimeoutError:
            return Health(False, self._says(Outage.BUSY), f"no answer within {DEADLINE_S} s")
        except Exception as error:
            outage = outage_of(error)
            if outage is None:
                log.exception("health: the probe's write to %s failed", self.name)
                return Health(False, f"The probe could not write to {self.name}.")
            return Health(False, self._says(outage), _first_line(error))
        return Health(False, self._says(outage)) if outage else OK

    def _says(self, outage: Outage) -> str:
        """The outage, naming the file when there are two (the inbox and the main one)."""
        if self.file is None:
            return outage.message
        return f"{outage.message.removesuffix('.')} ({self.name})."

    async def _write(self, connection: AsyncConnection) -> Outage | None:
        if not self.sqlite:
            wait_ms = int(LOCK_WAIT_S * 1000)
            await connection.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
            await connection.execute(text(f"SET LOCAL statement_timeout = {2 * wait_ms}"))
        if not self._has_table:
            self._has_table = await connection.run_sync(
                lambda sync: inspect(sync).has_table(Heartbeat.__tablename__)
            )
        if self._has_table:
            await beat(connection)
            return None
        if self.sqlite:  # not migrated yet (`CHOTDON_AUTO_MIGRATE=0`): the lock is taken
            return None
        read_only = await connection.scalar(text("SHOW transaction_read_only"))
        return Outage.READ_ONLY if read_only == "on" else None

    async def aclose(self) -> None:
        await self.engine.dispose()


class WriteProbe:
    """Whether every target takes a write now; one probe at a time, its answer cached."""

    def __init__(
        self,
        urls: list[str],
        *,
        min_free_bytes: int,
        cache_s: float = CACHE_S,
        stale_s: float = STALE_S,
    ) -> None:
        unique = list(dict.fromkeys(urls))
        self.targets = [_Target(url, min_free_bytes=min_free_bytes) for url in unique]
        self.cache_s = cache_s
        self.stale_s = stale_s
        self._lock = asyncio.Lock()
        self._answer: tuple[float, Health] | None = None
        self._refresh: asyncio.Task[Health] | None = None

    async def health(self) -> Health:
        cached = self._younger_than(self.cache_s)
        if cached is not None:
            return cached
        previous = self._younger_than(self.stale_s)
        if previous is not None:
            if self._refresh is None or self._refresh.done():
                self._refresh = asyncio.create_task(self._probe_once())
            return previous
        return await self._probe_once()

    async def _probe_once(self) -> Health:
        async with self._lock:
            cached = self._younger_than(self.cache_s)  # a probe finished while this one waited
            if cached is not None:
                return cached
            health = await self._probe()
            self._answer = (time.monotonic(), health)
            return health

    def _younger_than(self, seconds: float) -> Health | None:
        if self._answer is None or time.monotonic() - self._answer[0] >= seconds:
            return None
        return self._answer[1]

    async def _probe(self) -> Health:
        health = OK
        for target in self.targets:
            health = await target.health()
            if not health.ok:
                break
        before = self._answer[1] if self._answer else OK
        if health.message != before.message:  # a line when the answer changes, not per poll
            if health.ok:
                log.info("health: writes go through again")
            else:
                log.warning("health: %s (%s)", health.message, health.detail or "-")
        return health

    async def aclose(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._refresh
        for target in self.targets:
            await target.aclose()


def _free_bytes(folder: Path) -> int | None:
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None  # a folder that is gone: the write below says what is wrong
    return stats.f_bavail * stats.f_frsize


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip() or type(cause).__name__).splitlines()[0]


PROBE = web.AppKey("write_probe", WriteProbe)


async def healthz(request: web.Request) -> web.Response:
    health = await request.app[PROBE].health()
    if health.ok:
        return web.json_response({"status": "ok"})
    return web.json_response(
        {"status": "unavailable", "message": health.message},
        status=503,
        headers={"Retry-After": "5"},
    )


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS]
    await _count_comment_sources(request.app)
    return web.Response(body=registry.exposition(), headers={"Content-Type": registry.content_type})


async def _count_comment_sources(app: web.Application) -> None:
    """Read from the database at each scrape: the poller and the inbox processor run in the
    worker process, whose own counters this process cannot see."""
    runtime = app.get(RUNTIME)
    if runtime is None:
        return
    try:
        counts = await comment_sources(runtime.orders)
    except Exception:  # the database is down: /healthz says so; the rest still scrapes
        log.warning("metrics: cannot count comments by source", exc_info=True)
        return
    for source in SOURCES:
        app[METRICS].comment_sources.labels(source).set(getattr(counts, source))


async def _probe(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    probe = WriteProbe(
        [settings.inbox_url, settings.database_url],
        min_free_bytes=settings.min_free_disk_mb * MB,
    )
    app[PROBE] = probe
    try:
        yield
    finally:
        await probe.aclose()


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_probe)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
