"""The item catalog, for integrations that build orders by SKU or short code."""

from __future__ import annotations

from aiohttp import web

from api.replies import reply
from chotdon.runtime import RUNTIME


async def list_items(request: web.Request) -> web.Response:
    return reply({"items": await request.app[RUNTIME].orders.items()})
