"""What the app's handlers share, and the typed keys under which the app holds it."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chotdon.metrics import Metrics
from chotdon.outbox_worker import OutboxWorker
from chotdon.services import OrderService
from chotdon.settings import Settings
from webhooks.inbox import InboxWriter
from webhooks.processor import InboxProcessor


@dataclass
class Runtime:
    """Created in the app's `cleanup_ctx` and closed with it."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    metrics: Metrics
    orders: OrderService
    worker: OutboxWorker
    inbox: InboxWriter
    processor: InboxProcessor
    http: httpx.AsyncClient  # the one outbound HTTP pool (Graph API, carriers), closed last


SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
RUNTIME = web.AppKey("runtime", Runtime)
HANDLERS = web.AppKey("outbox_handlers", dict)
INBOX_HANDLERS = web.AppKey("inbox_handlers", dict)
