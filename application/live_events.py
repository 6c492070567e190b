"""Stored Facebook webhook bodies applied to live sessions and drafts: the inbox handler."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from application.graph_jobs import OPEN_LIVE
from application.live_comments import apply_comments
from application.live_sessions import LIVE, apply_live_status, known_session
from application.messenger import apply_messages
from kernel.inbox.processor import InboxHandler, InboxItem
from kernel.outbox.jobs import Job, enqueue
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
                    await _live_status(session, event, config, grace=grace, now=now)
                elif isinstance(event, CommentEvent):
                    comments.append(event)
                elif isinstance(event, MessengerEvent):
                    messages.append(event)
        if comments:
            await apply_comments(session, comments, config)
        if messages:
            await apply_messages(session, messages, config)

    return handle


async def _live_status(
    session: AsyncSession,
    event: LiveStatusEvent,
    config: IngestConfig,
    *,
    grace: timedelta,
    now: datetime,
) -> None:
    """A live that started is opened by an outbox job (`graph_jobs.open_live`): which video it
    streams, and its title, are a Graph call, never made inside this transaction. A session it
    already has is reopened here at once, as before. Without a Page token no call can be made:
    the session is opened from the webhook alone (`apply_live_status`)."""
    if event.status != LIVE or not config.page_token_set:
        await apply_live_status(session, event, grace=grace, now=now)
        return
    if await known_session(session, event) is not None:
        await apply_live_status(session, event, grace=grace, now=now)
    payload = {"live_video_id": event.live_video_id, "video_id": event.video_id}
    await enqueue(session, Job(OPEN_LIVE, f"{OPEN_LIVE}:{event.live_video_id}", payload))
