"""What the interfaces read about live sessions: the list with its counts (the API, the pages,
the bot's `/live`), one session named the way the chat names it, and every comment of one.
Each is read in a reader's session (`OrderService.reading`), so a list never holds the write
lock the comment worker needs during a live."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.live_sessions import list_sessions, ordering_open_at, session_title
from application.services import OrderService
from application.views import LiveSessionRow
from kernel.tables import utcnow
from livestream.sources import SOURCES
from livestream.tables import Comment, LiveSession, LiveSessionCode

# The outbox job telling the staff group a live opened by itself (payload: `session_id`).
LIVE_OPENED = "telegram.live_opened"


@dataclass(frozen=True, slots=True)
class LiveRef:
    """A live session as a reply names it: `#id title`, or `#id video_id` without a title."""

    id: int
    video_id: str
    title: str
    page_id: str | None = None  # the Page the live is on

    @classmethod
    def of(cls, live: LiveSession) -> LiveRef:
        return cls(live.id, live.video_id, live.title or "", live.page_id)


@dataclass(frozen=True, slots=True)
class NumberedLives:
    sessions: list[LiveSessionRow]  # `list_sessions`: newest first, with counts
    numbers: Mapping[str, int]  # by video id: the `#N` the chat names a session by


async def live_sessions(service: OrderService) -> list[LiveSessionRow]:
    """Every session, newest first, with its codes and counts."""
    async with service.reading() as session:
        return await list_sessions(session)


async def numbered_live_sessions(service: OrderService) -> NumberedLives:
    """The sessions with the numbers the chat names them by, read at one moment."""
    async with service.reading() as session:
        lives = await list_sessions(session)
        numbers = dict((await session.execute(select(LiveSession.video_id, LiveSession.id))).all())
    return NumberedLives(lives, numbers)


async def find_live(session: AsyncSession, token: str | None) -> LiveSession | None:
    """`#N` is the session numbered N; anything else a video id; nothing at all the newest."""
    if token is None:
        return await session.scalar(select(LiveSession).order_by(LiveSession.id.desc()).limit(1))
    number = token[1:]
    if token.startswith("#") and number.isascii() and number.isdigit() and len(number) <= 10:
        return await session.get(LiveSession, int(number))
    return await session.scalar(select(LiveSession).where(LiveSession.video_id == token))


async def live_named(service: OrderService, token: str | None) -> LiveRef | None:
    """The session `token` names as `find_live` reads it; None when there is none."""
    async with service.reading() as session:
        found = await find_live(session, token)
        return LiveRef.of(found) if found is not None else None


async def live_by_video(service: OrderService, video_id: str) -> LiveRef | None:
    """The session of `video_id`; None when there is none."""
    async with service.reading() as session:
        live = await session.scalar(select(LiveSession).where(LiveSession.video_id == video_id))
        return None if live is None else LiveRef.of(live)


async def live_title(service: OrderService, video_id: str | None) -> str | None:
    """The title of the session of `video_id`, as an order's card names its live."""
    async with service.reading() as session:
        return await session_title(session, video_id)


@dataclass(frozen=True, slots=True)
class SourceCounts:
    """How many of a live's comments each source delivered first: a webhook that misses
    comments shows as a poll count (docs/comment-sources.md)."""

    webhook: int = 0
    poll: int = 0
    instagram: int = 0

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> SourceCounts:
        return cls(**{name: counts.get(name, 0) for name in SOURCES})


async def comment_sources(service: OrderService) -> SourceCounts:
    """Every live's comments together, by source (`/metrics`)."""
    async with service.reading() as session:
        rows = await session.execute(select(Comment.source, func.count()).group_by(Comment.source))
        return SourceCounts.of({source: count for source, count in rows})


async def live_comment_sources(
    service: OrderService, video_id: str | None = None
) -> dict[str, SourceCounts]:
    """Each live's comments by source, by video id (`/live` in the bot, the live's page);
    only the live of `video_id` when given."""
    query = (
        select(LiveSession.video_id, Comment.source, func.count())
        .join(Comment, Comment.session_id == LiveSession.id)
        .group_by(LiveSession.video_id, Comment.source)
    )
    if video_id is not None:
        query = query.where(LiveSession.video_id == video_id)
    async with service.reading() as session:
        rows = await session.execute(query)
        by_live: dict[str, dict[str, int]] = {}
        for video_id, source, count in rows:
            by_live.setdefault(video_id, {})[source] = count
    return {video_id: SourceCounts.of(counts) for video_id, counts in by_live.items()}


@dataclass(frozen=True, slots=True)
class OpenedLive:
    """A live that opened by itself, as the staff group's message names it."""

    id: int
    video_id: str
    title: str
    platform: str
    codes: int
    ordering_open: bool


async def opened_live(service: OrderService, session_id: int) -> OpenedLive | None:
    """The session `session_id` with how many codes it reads; None when it is gone."""
    async with service.reading() as session:
        live = await session.get(LiveSession, session_id)
        if live is None:
            return None
        codes = await session.scalar(
            select(func.count()).where(LiveSessionCode.session_id == live.id)
        )
        return OpenedLive(
            id=live.id,
            video_id=live.video_id,
            title=live.title or "",
            platform=live.platform,
            codes=int(codes or 0),
            ordering_open=ordering_open_at(live, utcnow()),
        )
