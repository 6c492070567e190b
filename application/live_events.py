"""Stored Facebook webhook bodies applied to live sessions and drafts: the inbox handler."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from application.live_comments import apply_comments
from application.live_sessions import apply_live_status
from application.messenger import apply_messages
from kernel.inbox.processor import InboxHandler, InboxItem
from kernel.tables import utcnow
from livestream.config import IngestConfig
from livestream.events import CommentEvent, LiveStatusEvent, MessengerEvent, read_body

log = logging.getLogger(__name__)


def facebook_handler(config: IngestConfig) -> InboxHandler:
    """All events of the given bodies in the caller's transaction: live status first (a body
    that says the live started must open ordering for the comments it carries), then every
    comment of every body together, so a storm of one-comment deliveries is applied in bulk;
    then the buyers' Messenger events (a draft a comment just made can take their answer)."""
    grace = timedelta(minutes=config.grace_minutes)

    async def handle(session: AsyncSession, items: Sequence[InboxItem]) -> None:
        now = utcnow()
        comments: list[CommentEvent] = []
        messages: list[MessengerEvent] = []
        for item in items:
            batch = read_body(item.body)
            for problem in batch.problems:
                log.warning("inbox row %s (facebook): skipped %s", item.id, problem)
            for event in batch.events:
                if isinstance(event, LiveStatusEvent):
                    await apply_live_status(session, event, grace=grace, now=now)
                elif isinstance(event, CommentEvent):
                    comments.append(event)
                elif isinstance(event, MessengerEvent):
                    messages.append(event)
        if comments:
            await apply_comments(session, comments, config)
        if messages:
            await apply_messages(session, messages, config)

    return handle
