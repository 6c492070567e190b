"""What the app's handlers share, and the typed keys under which the app holds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.carrier_registry import Carriers
from application.printing import Printer
from application.services import OrderService
from carriers import wire
from chotdon.settings import Settings
from kernel.inbox.processor import InboxHandler, InboxProcessor
from kernel.inbox.sqlite_landing import SqliteLandingWriter
from kernel.inbox.writer import InboxWriter
from kernel.metrics import Metrics
from kernel.outbox.worker import Handler, OutboxWorker


class WorkerProcessLike(Protocol):
    """What the app needs of the child running its workers (`chotdon.worker_process`)."""

    def wake_inbox(self) -> None: ...
    def wake_outbox(self) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass(frozen=True)
class Pace:
    """How soon the outbox worker looks again and retries, how long one carrier call may
    take, and how long a "minute" of Telegram's rate limits lasts for the card notifier. The
    defaults are production's; tests pass shorter ones rather than wait them out."""

    outbox_poll_s: float = 0.5
    outbox_backoff_base_s: float = 2.0
    outbox_backoff_cap_s: float = 600.0
    carrier_timeout_s: float = wire.TIMEOUT_S
    telegram_minute_s: float = 60.0
    # The comment poller's waits (`application.comment_poller.PollPace`); its interval and
    # budget share are settings.
    poll_budget_pause_s: float = 60.0
    poll_backoff_base_s: float = 30.0
    poll_backoff_cap_s: float = 900.0


@dataclass
class Runtime:
    """Created in the app's `cleanup_ctx` and closed with it."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    metrics: Metrics
    orders: OrderService
    worker: OutboxWorker
    inbox: InboxWriter | SqliteLandingWriter
    processor: InboxProcessor
    http: httpx.AsyncClient  # the one outbound HTTP pool (Graph API, carriers), closed last
    carriers: Carriers


SETTINGS = web.AppKey("settings", Settings)
PACE = web.AppKey("pace", Pace)
METRICS = web.AppKey("metrics", Metrics)
RUNTIME = web.AppKey("runtime", Runtime)
HANDLERS = web.AppKey[dict[str, Handler]]("outbox_handlers")
INBOX_HANDLERS = web.AppKey[dict[str, InboxHandler]]("inbox_handlers")
# Draws bills and shipping notes off the event loop (`application.printing`).
PRINTER = web.AppKey("printer", Printer)
# Set only for `chotdon serve`'s web process, whose workers run in a child process.
WORKER_PROCESS = web.AppKey("worker_process", WorkerProcessLike)
