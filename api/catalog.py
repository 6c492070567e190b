"""The item catalog, for integrations that build orders by SKU or short code."""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.encode import item_json
from api.replies import reply


async def list_items(request: web.Request) -> web.Response:
    items = await request.app[API].orders.items()
    return reply({"items": [item_json(item) for item in items]})
