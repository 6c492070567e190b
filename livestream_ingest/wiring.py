"""What the ingest package plugs into the service: inbox handlers and routes.

STUB: filled in by the ingest work.
"""

from __future__ import annotations

from aiohttp import web

from chotdon.settings import Settings


def inbox_handlers(settings: Settings) -> dict:
    """Inbox handlers by source (`facebook`), see `webhooks.processor.InboxHandler`."""
    return {}


def add_routes(app: web.Application) -> None:
    """`/api/live-sessions` and `/api/live-sessions/{video_id}/comments`."""
