"""The item catalog, for integrations that build orders by SKU or short code."""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.replies import reply


async def list_items(request: web.Request) -> web.Response:
    return reply({"items": await request.app[API].orders.items()})
