"""Opening and closing ordering on a live session from the chat and the managers' page, each in
a transaction of its own, with the same `live_sessions` functions as `chotdon live open/close`:
no interface can disagree with the CLI on what "closed" means. The chat may name a session by
its video id or by `#N`, the number its list shows (video ids are long to type on a phone)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from application.live_reads import LiveRef, find_live
from application.live_sessions import CodeSpec, close_session, open_session
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


async def open_live_session(
    service: OrderService,
    video_id: str,
    *,
    title: str | None,
    codes: Sequence[CodeSpec],
    default_code: str | None,
) -> LiveRef:
    """Create or update the session of `video_id` with these codes and open ordering;
    `InvalidInput` naming the field at fault, with nothing written."""
    async with service.transaction() as session:
        live = await open_session(
            session, video_id, title=title, codes=codes, default_code=default_code
        )
        return LiveRef.of(live)


async def close_live_session(service: OrderService, video_id: str) -> LiveRef:
    """Stop taking orders on the session of `video_id`; `NotFound` when there is none."""
    async with service.transaction() as session:
        return LiveRef.of(await close_session(session, video_id))


async def _video_id(session: AsyncSession, named: str) -> str | None:
    if not named.startswith("#"):
        return named
    known = await find_live(session, named)
    return known.video_id if known is not None else None
