"""The aiohttp app factory: builds every resource when the app starts, never at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager, suppress
from functools import partial

import httpx
from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from api.deps import API, ApiDeps
from api.encode import order_json
from api.routes import add_routes as add_api_routes
from application import bank_transfers, graph_jobs, printing, quotes, shipping_jobs, shop_handoff
from application import carrier_reports as carrier_updates
from application.carrier_places import StoredPlaces
from application.comment_poller import CommentPoller, PollPace, TokenFor
from application.printing import PrintSetup
from application.services import OrderService
from application.shop import ShopProfile
from bot import lifecycle as bot_lifecycle
from bot import notifier as bot_notifier
from bot import webhook as bot_webhook
from bot.deps import BOT_DEPS, BOT_SETTINGS, BotDeps, BotSettings
from chotdon import carrier_setup, health
from chotdon import live_wiring as ingest
from chotdon.facebook_pages import facebook_pages
from chotdon.middleware import LANGUAGE, error_middleware, metrics_middleware
from chotdon.runtime import (
    HANDLERS,
    INBOX_HANDLERS,
    METRICS,
    PACE,
    PRINTER,
    RUNTIME,
    SETTINGS,
    WORKER_PROCESS,
    Pace,
    Runtime,
)
from chotdon.settings import Settings
from chotdon.worker_process import WorkerProcess
from kernel.database import create_engine, is_sqlite, session_factory
from kernel.inbox.landing import Landing
from kernel.inbox.processor import InboxHandler, InboxProcessor
from kernel.inbox.sqlite_landing import SqliteLandingWriter
from kernel.inbox.writer import InboxWriter
from kernel.metrics import Metrics
from kernel.outbox.worker import Handler, OutboxWorker
from staff_web import routes as web_pages
from staff_web.deps import PAGES, PagesDeps
from webhooks.deps import RECEIVERS, ReceiverDeps
from webhooks.routes import add_routes as add_webhook_routes

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 30
HTTP_TIMEOUT_S = 15
# The comment poller, when this process runs one (tests and benchmarks read its counts).
POLLER = web.AppKey("comment_poller", CommentPoller)


def create_app(
    settings: Settings,
    *,
    outbox_handlers: Mapping[str, Handler] | None = None,
    inbox_handlers: Mapping[str, InboxHandler] | None = None,
    run_worker: bool = True,
    run_inbox: bool = True,
    worker_process: bool = False,
    run_bot: bool = True,
    pace: Pace | None = None,
) -> web.Application:
    """`outbox_handlers` and `inbox_handlers` add to (and override) the wired ones; with
    `run_worker` or `run_inbox` off, jobs and webhook bodies are stored but not processed.
    With `worker_process`, both workers run in a child process instead (`chotdon serve`).
    `run_bot` off: no Telegram bot in this process (the worker process of `chotdon serve`,
    since one poller per token is all Telegram allows). `pace` sets the outbox worker's
    polling and backoff and the carriers' call timeout."""
    metrics = Metrics()
    app = web.Application(
        middlewares=[metrics_middleware(metrics), error_middleware],
        client_max_size=2 * 1024 * 1024,
    )
    app[SETTINGS] = settings
    app[BOT_SETTINGS] = bot_settings(settings)
    app[LANGUAGE] = settings.language
    app[METRICS] = metrics
    app[PACE] = pace or Pace()
    app[HANDLERS] = dict(outbox_handlers or {})
    app[INBOX_HANDLERS] = {
        **ingest.inbox_handlers(settings),
        **bank_transfers.inbox_handlers(),
        **(inbox_handlers or {}),
    }
    if worker_process:
        app[WORKER_PROCESS] = WorkerProcess(settings)
        run_worker = run_inbox = False
    app.cleanup_ctx.append(_runtime)
    app.cleanup_ctx.append(_printer)
    app.cleanup_ctx.append(_adapters)
    if worker_process:
        app.cleanup_ctx.append(_worker_process)
    if run_inbox:
        app.cleanup_ctx.append(_inbox_processor)
    if run_worker:
        app.cleanup_ctx.append(_outbox_worker)
    if run_inbox and settings.comment_poll_seconds > 0:
        app.cleanup_ctx.append(_comment_poller)  # beside the processor that applies its finds
    if run_bot:
        if settings.telegram_bot_token:
            app[bot_lifecycle.BOT] = bot_lifecycle.build(app[BOT_SETTINGS])
        app.cleanup_ctx.append(bot_lifecycle.bot_context)
    health.setup(app)
    add_api_routes(app)
    add_webhook_routes(app)
    bot_webhook.add_routes(app)
    ingest.add_routes(app)
    web_pages.setup(app)
    return app


async def _runtime(app: web.Application) -> AsyncIterator[None]:
    """Closed after the background tasks (later in `cleanup_ctx`) have stopped, and after the
    requests under way have finished: the inbox writer commits what they wait for first."""
    settings = app[SETTINGS]
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    split = settings.inbox_url != settings.database_url
    inbox_engine = create_engine(settings.inbox_url) if split else engine
    http = httpx.AsyncClient(timeout=HTTP_TIMEOUT_S)
    pace = app[PACE]
    shop = shop_profile(settings)
    carriers = carrier_setup.build(
        settings, http, StoredPlaces(sessions), timeout=pace.carrier_timeout_s
    )
    worker = OutboxWorker(
        sessions,
        {},
        metrics=app[METRICS],
        poll_interval=pace.outbox_poll_s,
        backoff_base=pace.outbox_backoff_base_s,
        backoff_cap=pace.outbox_backoff_cap_s,
    )
    extra_inbox, extra_outbox = app[INBOX_HANDLERS], app[HANDLERS]
    processor = InboxProcessor(
        sessions,
        {**carrier_updates.inbox_handlers(carriers.webhooks), **extra_inbox},
        on_commit=worker.wake,
        landing=Landing(session_factory(inbox_engine)) if split else None,
    )
    child = app.get(WORKER_PROCESS)
    wake_outbox = child.wake_outbox if child else worker.wake
    orders = OrderService(sessions, app[METRICS], on_commit=wake_outbox)
    cards = bot_notifier.CardNotifier(app[BOT_SETTINGS], orders, minute_s=pace.telegram_minute_s)
    app[bot_notifier.CARDS] = cards
    worker.handlers.update(
        {
            **graph_jobs.outbox_handlers(facebook_pages(settings), sessions, http),
            **shipping_jobs.outbox_handlers(
                carriers.shipping,
                orders,
                sender=quotes.sender_of(shop),
                instruction=quotes.instruction_of(shop),
            ),
            **shop_handoff.outbox_handlers(
                settings.shop_handoff_url,
                settings.shop_handoff_secret,
                orders,
                http,
                partial(order_json, public_url=settings.public_url, bank=shop.bank),
            ),
            **cards.handlers(),
            **extra_outbox,
        }
    )
    inbox = _inbox_writer(
        settings, inbox_engine, split, child.wake_inbox if child else processor.wake
    )
    app[RUNTIME] = Runtime(
        settings, engine, sessions, app[METRICS], orders, worker, inbox, processor, http, carriers
    )
    log.info("database: %s", engine.url.render_as_string(hide_password=True))
    if split:
        log.info("webhook inbox: %s", inbox_engine.url.render_as_string(hide_password=True))
    inbox.start()
    try:
        yield
    finally:
        await inbox.stop()
        await engine.dispose()
        if split:
            await inbox_engine.dispose()
        await cards.aclose()
        await http.aclose()


def _inbox_writer(
    settings: Settings, engine: AsyncEngine, split: bool, on_commit: Callable[[], None]
) -> InboxWriter | SqliteLandingWriter:
    """A SQLite landing file of its own gets a writer thread with a plain connection
    (`kernel.inbox.sqlite_landing`); an inbox inside the main database, or on PostgreSQL, goes
    through the engine, where it commits with everything else."""
    if split and is_sqlite(settings.inbox_url):
        path = make_url(settings.inbox_url).database
        if path and path != ":memory:":
            return SqliteLandingWriter(path, on_commit=on_commit)
    return InboxWriter(engine, on_commit=on_commit)


async def _printer(app: web.Application) -> AsyncIterator[None]:
    """The render pool starts no worker before the first print; at shutdown, after the last
    request has been answered, it finishes the drawings under way and stops."""
    log.info("%s", printing.layout_line())
    async with printing.open_printer() as printer:
        app[PRINTER] = printer
        yield


def shop_profile(settings: Settings) -> ShopProfile:
    return ShopProfile(
        name=settings.shop_name,
        phone=settings.shop_phone,
        address=settings.shop_address,
        delivery_instruction=settings.delivery_instruction,
        language=settings.language,
        bank=settings.bank(),
    )


def bot_settings(settings: Settings) -> BotSettings:
    return BotSettings(
        telegram_bot_token=settings.telegram_bot_token,
        telegram_api_url=settings.telegram_api_url,
        telegram_webhook_secret=settings.telegram_webhook_secret,
        telegram_staff_chat_id=settings.telegram_staff_chat_id,
        telegram_miniapp_url=settings.telegram_miniapp_url,
        public_url=settings.public_url,
        language=settings.language,
    )


async def _adapters(app: web.Application) -> AsyncIterator[None]:
    """Each adapter gets what it uses of the runtime and settings, once both are open."""
    settings, runtime, printer = app[SETTINGS], app[RUNTIME], app[PRINTER]
    setup = PrintSetup(settings.database_url, shop_profile(settings), settings.public_url)
    shipping = runtime.carriers.shipping
    app[RECEIVERS] = ReceiverDeps(
        runtime.inbox,
        runtime.carriers.webhooks,
        settings.facebook_verify_token,
        settings.facebook_app_secret,
        settings.bank_webhook_key,
    )
    app[API] = ApiDeps(runtime.orders, shipping, printer, setup, settings.api_token)
    app[PAGES] = PagesDeps(
        runtime.orders,
        shipping,
        printer,
        setup,
        settings.telegram_bot_token,
        settings.public_url,
    )
    app[BOT_DEPS] = BotDeps(runtime.orders, shipping, printer, setup)
    yield


async def _worker_process(app: web.Application) -> AsyncIterator[None]:
    """Started once the databases are open; stopped after the last request has been answered
    (aiohttp finishes requests before it unwinds the cleanup contexts)."""
    child = app[WORKER_PROCESS]
    await child.start()
    try:
        yield
    finally:
        await child.stop()


async def _inbox_processor(app: web.Application) -> AsyncIterator[None]:
    async with _background(app[RUNTIME].processor.run, "inbox processor"):
        yield


async def _outbox_worker(app: web.Application) -> AsyncIterator[None]:
    async with _background(app[RUNTIME].worker.run, "outbox worker"):
        yield


def page_tokens(settings: Settings) -> TokenFor:
    """The Page a live belongs to, for polling: its own Page, or the only one configured when
    the live names none."""
    return facebook_pages(settings).for_page


async def _comment_poller(app: web.Application) -> AsyncIterator[None]:
    settings, runtime, pace = app[SETTINGS], app[RUNTIME], app[PACE]
    poller = CommentPoller(
        runtime.sessions,
        runtime.http,
        page_tokens(settings),
        runtime.inbox.store,
        PollPace(
            interval_s=settings.comment_poll_seconds,
            budget_percent=settings.poll_budget_percent,
            budget_pause_s=pace.poll_budget_pause_s,
            backoff_base_s=pace.poll_backoff_base_s,
            backoff_cap_s=pace.poll_backoff_cap_s,
        ),
    )
    app[POLLER] = poller
    async with _background(poller.run, "comment poller"):
        yield


@asynccontextmanager
async def _background(
    run: Callable[[asyncio.Event], Coroutine[object, object, None]], name: str
) -> AsyncIterator[None]:
    """A worker loop for the app's lifetime; at shutdown it finishes what it started."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=STOP_TIMEOUT_S)
        except TimeoutError:
            log.warning("%s did not stop in %s s; its work returns by lease", name, STOP_TIMEOUT_S)
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
