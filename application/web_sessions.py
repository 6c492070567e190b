"""Signing in to the staff pages as transactions: a login link issued and redeemed, a Mini App
session begun, a cookie's session looked up, a session ended. The rules and the rows are in
`web_logins`; this module decides where each transaction begins and ends, so the pages and the
bot only call it.

Writes go straight to the service's sessions, not through `OrderService.transaction`: a sign-in
queues no outbox job, so there is nothing to wake the worker for.
"""

from __future__ import annotations

from datetime import datetime

from application import web_logins as auth
from application.services import OrderService


async def new_login_link(service: OrderService, telegram_id: int) -> str:
    """A one-time token for this staff member (`web_logins.login_url` makes the link);
    `NotStaff` for anyone else."""
    async with service.sessions.begin() as session:
        return await auth.issue_login_link(session, telegram_id)


async def signed_in(service: OrderService, token: str, *, now: datetime) -> auth.Signed | None:
    """The live session of a cookie's token, read without the write lock; its last-seen time
    is written in a short transaction of its own when due (never while the read is open, as
    SQLite's one pooled connection would wait for itself)."""
    async with service.reading() as session:
        found = await auth.find_session(session, token, now=now)
    if found is None:
        return None
    signed, due = found
    if due:
        async with service.sessions.begin() as session:
            await auth.touch_session(session, signed.session_id, now=now)
    return signed


async def redeem_link(
    service: OrderService, token: str, *, user_agent: str, now: datetime
) -> auth.NewSession | None:
    """A session for a one-time link, which is then used up; None when it is used, expired
    or unknown. A sign-in also clears away the links and sessions that are over."""
    async with service.sessions.begin() as session:
        started = await auth.redeem_login_link(session, token, user_agent=user_agent, now=now)
        if started is not None:
            await auth.forget_expired(session, now=now)
    return started


async def start_miniapp_session(
    service: OrderService, telegram_id: int, *, user_agent: str, now: datetime
) -> auth.NewSession:
    """A session for the Telegram user the Mini App's signed data names; `NotStaff` for
    anyone who is not on staff."""
    async with service.sessions.begin() as session:
        started = await auth.start_session_for(
            session, telegram_id, auth.VIA_MINIAPP, user_agent=user_agent, now=now
        )
        await auth.forget_expired(session, now=now)
    return started


async def end_session(service: OrderService, session_id: int) -> bool:
    """Sign a session out; whether it was still there."""
    async with service.sessions.begin() as session:
        return await auth.end_session(session, session_id)
