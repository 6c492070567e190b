"""The aiohttp app factory: builds every resource when the app starts, never at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import suppress

from aiohttp import web

from chotdon import health
from chotdon.api.routes import add_routes as add_api_routes
from chotdon.database import create_engine, session_factory
from chotdon.metrics import Metrics
from chotdon.middleware import error_middleware, metrics_middleware
from chotdon.outbox_worker import Handler, OutboxWorker
from chotdon.runtime import HANDLERS, METRICS, RUNTIME, SETTINGS, Runtime
from chotdon.services import OrderService
from chotdon.settings import Settings

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    outbox_handlers: Mapping[str, Handler] | None = None,
    run_worker: bool = True,
) -> web.Application:
    metrics = Metrics()
    app = web.Application(
        middlewares=[metrics_middleware(metrics), error_middleware],
        client_max_size=2 * 1024 * 1024,
    )
    app[SETTINGS] = settings
    app[METRICS] = metrics
    app[HANDLERS] = dict(outbox_handlers or {})
    app.cleanup_ctx.append(_runtime)
    if run_worker:
        app.cleanup_ctx.append(_outbox_worker)
    health.setup(app)
    add_api_routes(app)
    return app


async def _runtime(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    worker = OutboxWorker(sessions, app[HANDLERS], metrics=app[METRICS])
    orders = OrderService(sessions, app[METRICS], on_commit=worker.wake)
    app[RUNTIME] = Runtime(settings, engine, sessions, app[METRICS], orders, worker)
    log.info("database: %s", engine.url.render_as_string(hide_password=True))
    yield
    await engine.dispose()


async def _outbox_worker(app: web.Application) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(app[RUNTIME].worker.run(stop), name="outbox-worker")
    yield
    stop.set()
    try:
        await asyncio.wait_for(task, timeout=30)
    except TimeoutError:
        log.warning("outbox worker did not stop in 30 s; its jobs go back to the queue by lease")
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
