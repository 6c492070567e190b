"""Serving an aiohttp app until SIGTERM or SIGINT, with bounded connections.

`web.run_app` builds each connection's protocol itself and offers no way to bound them, so this
does the little of it `chotdon serve` needs: aiohttp's `AppRunner` (start-up, the cleanup
contexts, the stop in order) behind a listener whose connections `chotdon.connections` guards,
on a loop whose exception handler sums up accept errors. The stop is aiohttp's: the listener
closes, requests under way finish (up to `shutdown_timeout`), then the cleanup contexts unwind.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_log import AccessLogger

from chotdon.connections import AcceptErrorLog, ConnectionGuard, ConnectionLimits
from chotdon.open_files import ACCEPT_BATCH

# aiohttp's own defaults in `run_app`: how long an idle keep-alive connection stays open.
KEEPALIVE_TIMEOUT_S = 75.0


def serve_app(
    app: web.Application,
    *,
    host: str,
    port: int,
    limits: ConnectionLimits,
    shutdown_timeout: float,
    access_log_class: type[AbstractAccessLogger],
    announce: Callable[[str], None],
) -> None:
    with asyncio.Runner() as runner:
        runner.run(_serve(app, host, port, limits, shutdown_timeout, access_log_class, announce))


async def _serve(
    app: web.Application,
    host: str,
    port: int,
    limits: ConnectionLimits,
    shutdown_timeout: float,
    access_log_class: type[AbstractAccessLogger],
    announce: Callable[[str], None],
) -> None:
    loop = asyncio.get_running_loop()
    accept_errors = AcceptErrorLog()
    loop.set_exception_handler(accept_errors)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with listening(
            app,
            host=host,
            port=port,
            limits=limits,
            shutdown_timeout=shutdown_timeout,
            access_log_class=access_log_class,
        ):
            announce(f"Running on {_url(host, port)}")
            await stop.wait()
    finally:
        accept_errors.flush()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


@asynccontextmanager
async def listening(
    app: web.Application,
    *,
    host: str,
    port: int,
    limits: ConnectionLimits,
    shutdown_timeout: float = 10.0,
    access_log_class: type[AbstractAccessLogger] = AccessLogger,
) -> AsyncIterator[int]:
    """`app` started and listening on `host`:`port` (0: any free port, which it yields) with
    guarded connections; on the way out the listener closes and aiohttp stops the app."""
    runner = web.AppRunner(
        app,
        access_log_class=access_log_class,
        shutdown_timeout=shutdown_timeout,
        keepalive_timeout=KEEPALIVE_TIMEOUT_S,
    )
    await runner.setup()
    guard = ConnectionGuard(limits)
    listener: asyncio.Server | None = None
    try:
        assert runner.server is not None
        listener = await asyncio.get_running_loop().create_server(
            guard.protocol_factory(runner.server), host, port, backlog=ACCEPT_BATCH
        )
        yield listener.sockets[0].getsockname()[1]
    finally:
        if listener is not None:
            listener.close()
        await runner.cleanup()
        guard.flush_log()


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host or "0.0.0.0"
    return f"http://{shown}:{port}"
