"""What the app's handlers share, and the typed keys under which the app holds it."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chotdon.metrics import Metrics
from chotdon.outbox_worker import OutboxWorker
from chotdon.services import OrderService
from chotdon.settings import Settings


@dataclass
class Runtime:
    """Created in the app's `cleanup_ctx` and closed with it."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    metrics: Metrics
    orders: OrderService
    worker: OutboxWorker


SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
RUNTIME = web.AppKey("runtime", Runtime)
HANDLERS = web.AppKey("outbox_handlers", dict)
