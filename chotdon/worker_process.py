"""The background workers of `chotdon serve` in a child process, on the machine's other core.

One Python process runs one core's worth of Python. Answering webhooks and turning their
comments into drafts both cost CPU, and during a live's comment storm they compete: with both in
one process, acknowledgements slow down as processing speeds up. So `serve` answers HTTP in its
own process and starts one child that runs the inbox processor and the outbox worker (the same
app, set up without a listening socket). Each side keeps the database as the only shared state;
the parent only nudges the child through its stdin (`i`: bodies were stored, `o`: jobs were
queued) so nothing waits for a poll. The parent restarts a child that dies, and stops it on
shutdown; a child whose parent is gone (its stdin closed) stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable

from aiohttp import web

from chotdon.runtime import RUNTIME
from chotdon.settings import Settings

log = logging.getLogger(__name__)

WAKE_INBOX, WAKE_OUTBOX = b"i", b"o"
STOP_TIMEOUT_S = 30.0
RESTART_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0)
# The lowest priority, as the render worker's: when both want the CPU, a webhook's
# acknowledgement (which Facebook waits for) goes before turning earlier bodies into drafts
# (which only the shop waits for, and which catches up as soon as the storm eases). Measured
# with `bench/ingest_http.py`, 50 comments per request, 5 rounds: the whole service at 0.46 of
# the ceiling with nice 10, 0.51 with nice 19, drafts no slower.
NICENESS = 19
MAX_BUFFERED = 4096  # nudges the child has not read yet; beyond this more would say nothing new


class WorkerProcess:
    """The parent's handle on the child: start, nudge, restart after a crash, stop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self) -> None:
        self._process = await self._spawn()
        self._supervisor = asyncio.create_task(self._supervise(), name="worker-process")

    def wake_inbox(self) -> None:
        self._send(WAKE_INBOX)

    def wake_outbox(self) -> None:
        self._send(WAKE_OUTBOX)

    async def stop(self) -> None:
        """SIGTERM, then the child finishes the transaction under way and gives back what it
        claimed but did not start; SIGKILL only if it does not stop in time."""
        self._stopping = True
        process = self._process
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("worker process %s did not stop in time: killed", process.pid)
                process.kill()
                await process.wait()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor

    async def _spawn(self) -> asyncio.subprocess.Process:
        env = dict(os.environ)
        # The same databases as this process, whatever settings it was given.
        env["CHOTDON_DATABASE_URL"] = self.settings.database_url
        env["CHOTDON_INBOX_DATABASE_URL"] = self.settings.inbox_url
        env["CHOTDON_AUTO_MIGRATE"] = "0"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "chotdon", "work", stdin=asyncio.subprocess.PIPE, env=env
        )
        log.info("worker process %s started (inbox processor, outbox worker)", process.pid)
        return process

    async def _supervise(self) -> None:
        while True:
            assert self._process is not None
            code = await self._process.wait()
            if self._stopping:
                return
            delay = RESTART_DELAYS_S[min(self.restarts, len(RESTART_DELAYS_S) - 1)]
            log.error(
                "worker process %s exited with %s; restarting in %s s (its work returns by lease)",
                self._process.pid,
                code,
                delay,
            )
            await asyncio.sleep(delay)
            if self._stopping:
                return
            self.restarts += 1
            self._process = await self._spawn()

    def _send(self, nudge: bytes) -> None:
        process = self._process
        if process is None or process.stdin is None or process.returncode is not None:
            return  # a child starting up again looks for work on its own
        transport = process.stdin.transport
        if transport.is_closing() or transport.get_write_buffer_size() > MAX_BUFFERED:
            return
        process.stdin.write(nudge)


def run_child(settings: Settings, build: Callable[[Settings], web.Application]) -> None:
    """`chotdon work`: the app's workers without its HTTP side, until SIGTERM or a closed stdin."""
    asyncio.run(_child(settings, build))


async def _child(settings: Settings, build: Callable[[Settings], web.Application]) -> None:
    os.nice(NICENESS)
    app = build(settings)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()  # the cleanup contexts start the runtime and both workers
    runtime = app[RUNTIME]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def listen() -> None:
        while nudges := await reader.read(1024):
            if WAKE_INBOX in nudges:
                runtime.processor.wake()
            if WAKE_OUTBOX in nudges:
                runtime.worker.wake()
        log.warning("worker process: the server process is gone; stopping")
        stop.set()

    listener = asyncio.create_task(listen())
    try:
        await stop.wait()
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await runner.cleanup()  # workers finish what they started, then the databases close
    log.info("worker process stopped")
