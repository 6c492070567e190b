"""Outbox handlers that act on Facebook (hide a comment, send a private reply).

STUB: filled in by the Graph API work.
"""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chotdon.settings import Settings

HIDE_COMMENT = "facebook.hide_comment"
PRIVATE_REPLY = "facebook.private_reply"


def outbox_handlers(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], http: httpx.AsyncClient
) -> dict:
    """Handlers by outbox kind; empty when no Page access token is configured."""
    return {}
