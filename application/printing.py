"""Bills and shipping notes drawn off the event loop, a bounded number at a time.

Drawing a 10-line bill is about 100 ms of CPU in Pillow (`python -m bench.render`). On the event
loop it would stall every webhook acknowledgement behind it, so it runs in a pool. Which pool
was measured with `bench/render.py` (POOL, WORKERS and NICENESS edited for each row): `chotdon
serve` on SQLite, 8000 one-comment signed webhooks from 64 connections, alone and while 20
clients keep requesting bills; 2-core VM, the load generator on the same machine; medians of 4
interleaved rounds (p99 alone over all 20 runs: median 42 ms, range 29-95 ms).

| pool | webhook p99 while printing | webhook req/s alone -> printing | bills/s |
|---|---|---|---|
| process, 1 worker, nice 19 | 96 ms | 3076 -> 2392 | 10.1 |
| process, 1 worker, nice 10 | 114 ms | 2628 -> 2264 | 10.0 |
| process, 2 workers, nice 19 | 93 ms | 2970 -> 2384 | 10.0 |
| thread, 1 worker | 168 ms | 2885 -> 1396 | 12.4 |
| thread, 2 workers | 179 ms | 2995 -> 1270 | 11.8 |

Threads lose: the event loop shares one GIL with the drawing, and webhook throughput
halves. A process has a GIL of its own, and at the lowest CPU priority (nice 19;
SCHED_IDLE measured no better) it takes what the webhook path leaves. Those rows were measured
before the render worker read the order itself (`application.print_jobs`) and before the worker
process of `chotdon serve` ran at a low priority too; since both, the webhooks' p99 while
printing is within the spread of runs alone (README, "Bills and shipping notes"). One worker: a
second bought no measurable bill throughput under load, and costs a second Pillow process's
memory; the other
core belongs to the inbox processor of `chotdon serve` anyway. The pool uses a fork server,
not `fork` (the parent has an event loop, threads and database connections a forked copy would
share). Its worker starts with the first print, which waits about a second for it (a fresh
Python importing Pillow and, through the main module, the service: some 90 MB resident), and
then stays; the worker process of `chotdon serve` also builds the app but never prints, so it
never starts one.

At most `WORKERS` jobs are handed to the pool at once (`Printer.slots`); further requests wait
in asyncio, where a client that gives up costs nothing, instead of in the pool's own queue,
where work no one waits for any more would still be drawn.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import signal
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from application.print_jobs import (
    DEFAULT_PAPER,
    Document,
    Format,
    ManyRequest,
    Paper,
    Printed,
    PrintRequest,
    print_many,
    print_order,
)
from application.shop import ShopProfile
from render.document import Shop
from render.fonts import complex_layout_available

log = logging.getLogger(__name__)

Pool = Literal["thread", "process"]
_Drawn = TypeVar("_Drawn")
__all__ = [
    "Format",
    "ManyRequest",
    "Paper",
    "PrintRequest",
    "PrintSetup",
    "Printed",
    "Printer",
    "filename",
    "open_printer",
]

POOL: Pool = "process"  # chosen by measurement: see the module docstring
WORKERS = 1
# Orders drawn per job of a PDF of many: a job holds the worker for about 2 s, so a single
# print asked for meanwhile waits that long at most, not for the whole PDF.
MANY_CHUNK = 20
NICENESS = 19  # the lowest priority: drawing yields the CPU to answering webhooks
# Imported once by the fork server: a worker that replaces a dead one starts with them loaded.
PRELOAD = ["application.printing", "application.print_jobs"]


def _start_worker(service_pid: int) -> None:
    """Runs in each pool worker as it starts. Ctrl-C in a terminal and some platforms' SIGTERM
    reach the whole process group; the worker must not die of them with a drawing under way,
    as the service stops its pool itself once the requests under way are answered."""
    os.nice(NICENESS)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    _exit_with(service_pid)


def _exit_with(service_pid: int) -> None:
    """A worker whose service was killed outright (SIGKILL, out of memory) would wait for jobs
    forever, and keep the fork server and the resource tracker alive with it: it ends when the
    service does. A pidfd becomes readable when its process exits (Linux 5.3+); elsewhere the
    machine's supervisor has to end an orphaned worker."""
    try:
        service = os.pidfd_open(service_pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):
        return

    def wait_for_service() -> None:
        select.select([service], [], [])
        os._exit(0)

    threading.Thread(target=wait_for_service, name="exit-with-service", daemon=True).start()


@dataclass(frozen=True, slots=True)
class PrintSetup:
    """What every printout of this shop shares: the database the render worker reads the order
    from, and the shop as it signs its papers (and the account its bills ask transfers into,
    `shop.bank`); the same from the API, the pages and the bot."""

    database_url: str
    shop: ShopProfile
    public_url: str = ""  # `CHOTDON_PUBLIC_URL`: the tracking page the bill's QR code opens

    def request(
        self, order_id: int, document: Document, fmt: Format, paper: Paper = DEFAULT_PAPER
    ) -> PrintRequest:
        shop = self.shop
        return PrintRequest(
            database_url=self.database_url,
            order_id=order_id,
            document=document,
            fmt=fmt,
            paper=paper,
            language=shop.language,
            shop=Shop(name=shop.name, phone=shop.phone, address=shop.address),
            delivery_instruction=shop.delivery_instruction,
            public_url=self.public_url,
            bank=shop.bank,
        )

    def many(
        self, order_ids: tuple[int, ...], document: Document, paper: Paper = DEFAULT_PAPER
    ) -> ManyRequest:
        shop = self.shop
        return ManyRequest(
            database_url=self.database_url,
            order_ids=order_ids,
            document=document,
            paper=paper,
            language=shop.language,
            shop=Shop(name=shop.name, phone=shop.phone, address=shop.address),
            delivery_instruction=shop.delivery_instruction,
            public_url=self.public_url,
            bank=shop.bank,
        )


def filename(code: str, id_: int, document: Document, fmt: Format) -> str:
    """`DH000123-bill.png`; the code is ours (letters and digits), safe inside the quotes."""
    return f"{code or f'order-{id_}'}-{document}.{fmt}"


def new_executor(pool: Pool = POOL, workers: int = WORKERS) -> Executor:
    """The chosen process pool (see the module docstring), or a thread pool to measure
    against. Neither starts a worker before its first job."""
    if pool == "thread":
        return ThreadPoolExecutor(workers, thread_name_prefix="render")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
    )


def layout_line() -> str:
    """The start-up log line: without raqm, Pillow's basic layout mangles decomposed (NFD)
    Vietnamese, which the renderer avoids by normalising every string to NFC first."""
    if complex_layout_available():
        return "text layout: raqm (complex layout) is available; text is NFC-normalised"
    return (
        "text layout: raqm is NOT available (install libfribidi0), using Pillow's basic "
        "layout; text is NFC-normalised, so Vietnamese still draws correctly"
    )


class Printer:
    """Owns the render pool: made on the first print (a process pool brings a resource tracker
    process with it, which a service that never prints should not carry), replaced if a worker
    dies, shut down by `close()` after the jobs under way."""

    def __init__(self, pool: Pool = POOL, workers: int = WORKERS) -> None:
        self.pool = pool
        self.workers = workers
        self.slots = asyncio.Semaphore(workers)
        self._executor: Executor | None = None

    async def order(self, request: PrintRequest) -> Printed:
        """Read and draw in the worker (`application.print_jobs`): the web process does neither."""
        return await self._run(print_order, request)

    async def many(self, request: ManyRequest) -> list[bytes]:
        """Each order's pages (or label) as a small PDF, drawn in jobs of `MANY_CHUNK` orders
        one after another: other prints take turns with a long PDF instead of waiting behind
        all of it."""
        ids = request.order_ids
        drawn: list[bytes] = []
        for start in range(0, len(ids), MANY_CHUNK):
            part = replace(request, order_ids=ids[start : start + MANY_CHUNK])
            drawn.extend(await self._run(print_many, part))
        return drawn

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    async def _run(self, draw: Callable[..., _Drawn], *args: object, **kwargs: object) -> _Drawn:
        try:
            return await self._job(draw, args, kwargs)
        except BrokenProcessPool:
            # A worker died (killed, out of memory) and took the pool with it: try once more
            # on a new one rather than fail every print until a restart.
            log.warning("a render worker died; retrying on a new pool")
            return await self._job(draw, args, kwargs)

    async def _job(
        self, draw: Callable[..., _Drawn], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> _Drawn:
        """The slot is given back when the job ends, not when its caller stops waiting: a job
        already running cannot be stopped, and it still occupies a worker."""
        loop = asyncio.get_running_loop()
        await self.slots.acquire()
        executor = self._executor = self._executor or new_executor(self.pool, self.workers)
        try:
            job = executor.submit(draw, *args, **kwargs)
        except BaseException as error:
            self.slots.release()
            self._forget_if_broken(executor, error)
            raise
        job.add_done_callback(lambda _: loop.call_soon_threadsafe(self.slots.release))
        try:
            return await asyncio.wrap_future(job)
        except BrokenProcessPool as error:
            self._forget_if_broken(executor, error)
            raise

    def _forget_if_broken(self, executor: Executor, error: BaseException) -> None:
        """The first caller to see a broken pool drops it; the next job makes a new one."""
        if isinstance(error, BrokenProcessPool) and self._executor is executor:
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)


@asynccontextmanager
async def open_printer(pool: Pool = POOL, workers: int = WORKERS) -> AsyncIterator[Printer]:
    printer = Printer(pool, workers)
    try:
        yield printer
    finally:
        await printer.close()
