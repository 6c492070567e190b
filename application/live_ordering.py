"""Opening and closing ordering on a live session from the chat, each in a transaction of its
own, with the same `live_sessions` functions as `chotdon live open/close`: the chat and the CLI
cannot disagree on what "closed" means. The session may be named by its video id or by `#N`,
the number the chat's list shows (video ids are long to type on a phone)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from application.live_reads import LiveRef, find_live
from application.live_sessions import close_session, open_session
from application.services import OrderService


async def open_ordering(service: OrderService, named: str, *, title: str | None) -> LiveRef | None:
    """Open ordering on the session `named` (a new video id makes a new session); None when
    `named` is a `#N` no session has."""
    async with service.transaction() as session:
        video_id = await _video_id(session, named)
        if video_id is None:
            return None
        return LiveRef.of(await open_session(session, video_id, title=title))


async def close_ordering(service: OrderService, named: str) -> LiveRef | None:
    """Stop taking orders on the session `named` (later comments are kept and flagged late);
    None when `named` is a `#N` no session has, `NotFound` for an unknown video id."""
    async with service.transaction() as session:
        video_id = await _video_id(session, named)
        if video_id is None:
            return None
        return LiveRef.of(await close_session(session, video_id))


async def _video_id(session: AsyncSession, named: str) -> str | None:
    if not named.startswith("#"):
        return named
    known = await find_live(session, named)
    return known.video_id if known is not None else None
