"""What the livestream side plugs into the service: the Facebook inbox handler and its routes."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from api import live as api
from application.live_events import facebook_handler
from chotdon.settings import Settings
from kernel.inbox.processor import InboxHandler
from livestream.config import from_settings


def inbox_handlers(settings: Settings) -> dict[str, InboxHandler]:
    """Inbox handlers by source (`facebook`), see `kernel.inbox.processor.InboxHandler`."""
    # The bank account and the public address reach the Messenger answers (VietQR) from here.
    config = replace(
        from_settings(settings), bank=settings.bank(), public_url=settings.public_url or ""
    )
    return {"facebook": facebook_handler(config)}


def add_routes(app: web.Application) -> None:
    """`/api/live-sessions` and `/api/live-sessions/{video_id}/comments`."""
    api.add_routes(app)
