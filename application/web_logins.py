"""Login links and web sessions: the tokens, their lifetimes, and the rows behind them.

No aiohttp here: `chotdon login-link` and the bot's `/web` issue links with the same function
the web pages redeem them with. The rules that are pure (hashing, expiry, sliding renewal) are
plain functions with the time passed in, so tests choose the clock.

Lifetimes (decided here; CONTRACT.md only says "one-time"):
- a login link: 15 minutes, once;
- a session: ends after 12 hours without a request (sliding), and 7 days after it began
  whatever happens, so a lost phone's session does not live for ever. The last-seen time is
  written at most every 5 minutes, not on every request: on SQLite a write per page view
  would queue behind the comment worker.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.web_login_tables import WebLoginLink, WebSession
from kernel.database import rows_changed
from kernel.tables import utcnow
from orders.staff import StaffMember, find_staff
from orders.tables import Staff

LINK_LIFETIME: Final = timedelta(minutes=15)
SESSION_IDLE: Final = timedelta(hours=12)
SESSION_MAX: Final = timedelta(days=7)
TOUCH_EVERY: Final = timedelta(minutes=5)
TOKEN_BYTES: Final = 32  # 256 bits of randomness, 43 URL-safe characters
VIA_LINK: Final = "link"
VIA_MINIAPP: Final = "miniapp"
USER_AGENT_CAP: Final = 255


class NotStaff(Exception):
    """The Telegram user is not on staff: no link, no session."""

    def __init__(self, telegram_id: int) -> None:
        super().__init__(f"No staff member has Telegram id {telegram_id}.")
        self.telegram_id = telegram_id


Member = StaffMember  # the staff member a session belongs to, as the staff row says now


@dataclass(frozen=True)
class Signed:
    """A session that is still good: its row id, its CSRF token, and who it is."""

    session_id: int
    csrf_token: str
    member: Member


@dataclass(frozen=True)
class NewSession:
    """A session just begun: `token` goes into the cookie and is nowhere else."""

    token: str
    csrf_token: str
    expires_at: datetime
    member: Member


# -- pure -------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What the database keeps of a token. A plain SHA-256 is enough: the tokens are random
    256-bit strings, not passwords, so there is nothing to guess from a hash."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_is_usable(link: WebLoginLink, now: datetime) -> bool:
    return link.used_at is None and now < link.expires_at


def session_is_live(row: WebSession, now: datetime) -> bool:
    """Within its absolute lifetime and not idle for too long."""
    return now < row.expires_at and now < row.last_seen_at + SESSION_IDLE


def needs_touch(row: WebSession, now: datetime) -> bool:
    """Whether to write the new last-seen time (see the module's docstring)."""
    return now - row.last_seen_at >= TOUCH_EVERY


def login_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/login/{token}"


def _member(staff: Staff) -> Member:
    return StaffMember.of(staff)


# -- links ------------------------------------------------------------------------------------


async def issue_login_link(
    session: AsyncSession, telegram_id: int, *, now: datetime | None = None
) -> str:
    """A new one-time token for the staff member with this Telegram id (the caller builds the
    URL with `login_url`); `NotStaff` for anyone else. `now` is for tests making old links."""
    staff = await find_staff(session, telegram_id)
    if staff is None:
        raise NotStaff(telegram_id)
    now = now or utcnow()
    token = new_token()
    session.add(
        WebLoginLink(
            token_hash=hash_token(token),
            staff_id=staff.id,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    await session.flush()
    return token


async def redeem_login_link(
    session: AsyncSession,
    token: str,
    *,
    user_agent: str = "",
    now: datetime | None = None,
) -> NewSession | None:
    """Use the link once and begin a session; None when the link is unknown, used or
    expired. The conditional UPDATE is what makes "once" hold when two requests race with
    the same link (a double tap, a prefetch): only one of them changes the row."""
    now = now or utcnow()
    digest = hash_token(token)
    link = await session.scalar(select(WebLoginLink).where(WebLoginLink.token_hash == digest))
    if link is None or not link_is_usable(link, now):
        return None
    taken = await session.execute(
        update(WebLoginLink)
        .where(
            WebLoginLink.id == link.id,
            WebLoginLink.used_at.is_(None),
            WebLoginLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(taken) != 1:
        return None
    staff = await session.get(Staff, link.staff_id)
    if staff is None:
        return None
    return await start_session(session, staff, VIA_LINK, user_agent=user_agent, now=now)


# -- sessions ---------------------------------------------------------------------------------


async def start_session(
    session: AsyncSession,
    staff: Staff,
    via: str,
    *,
    user_agent: str = "",
    now: datetime | None = None,
) -> NewSession:
    now = now or utcnow()
    token, csrf = new_token(), new_token()
    expires = now + SESSION_MAX
    session.add(
        WebSession(
            token_hash=hash_token(token),
            staff_id=staff.id,
            csrf_token=csrf,
            via=via,
            user_agent=user_agent[:USER_AGENT_CAP],
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
        )
    )
    await session.flush()
    return NewSession(token, csrf, expires, _member(staff))


async def start_session_for(
    session: AsyncSession,
    telegram_id: int,
    via: str,
    *,
    user_agent: str = "",
    now: datetime | None = None,
) -> NewSession:
    """A session for the staff member with this Telegram id (the Mini App's path, where
    Telegram vouched for the id); `NotStaff` for anyone else."""
    staff = await find_staff(session, telegram_id)
    if staff is None:
        raise NotStaff(telegram_id)
    return await start_session(session, staff, via, user_agent=user_agent, now=now)


async def find_session(
    session: AsyncSession, token: str, *, now: datetime | None = None
) -> tuple[Signed, bool] | None:
    """The live session the cookie's token names, with its staff member as the staff row
    says now (a role changed a moment ago counts at once), and whether its last-seen time
    is due a write (`touch_session`); None when there is no such session, it is over, or
    its staff member is gone. Reads only."""
    now = now or utcnow()
    row = await session.execute(
        select(WebSession, Staff)
        .join(Staff, Staff.id == WebSession.staff_id)
        .where(WebSession.token_hash == hash_token(token))
    )
    found = row.first()
    if found is None:
        return None
    web_session, staff = found
    if not session_is_live(web_session, now):
        return None
    signed = Signed(web_session.id, web_session.csrf_token, _member(staff))
    return signed, needs_touch(web_session, now)


async def touch_session(
    session: AsyncSession, session_id: int, *, now: datetime | None = None
) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.id == session_id)
        .values(last_seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


async def end_session(session: AsyncSession, session_id: int) -> bool:
    """Sign out (or, for a manager, sign someone else out): the row goes."""
    gone = await session.execute(delete(WebSession).where(WebSession.id == session_id))
    return bool(rows_changed(gone))


@dataclass(frozen=True)
class SessionRow:
    """A live session as a manager's list shows it (no token: the database has none)."""

    id: int
    staff_id: int
    staff_name: str
    role: str
    via: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


async def list_sessions(session: AsyncSession, *, now: datetime | None = None) -> list[SessionRow]:
    """The sessions still live, the most recently seen first."""
    now = now or utcnow()
    rows = await session.execute(
        select(WebSession, Staff)
        .join(Staff, Staff.id == WebSession.staff_id)
        .where(WebSession.expires_at > now, WebSession.last_seen_at > now - SESSION_IDLE)
        .order_by(WebSession.last_seen_at.desc(), WebSession.id.desc())
    )
    return [
        SessionRow(
            web.id,
            staff.id,
            staff.name,
            staff.role,
            web.via,
            web.user_agent,
            web.created_at,
            web.last_seen_at,
            web.expires_at,
        )
        for web, staff in rows.tuples()
    ]


async def forget_expired(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Delete links and sessions that can never be used again; how many rows went. Called on
    each new sign-in, so the tables stay the size of the staff's actual use."""
    now = now or utcnow()
    links = await session.execute(
        delete(WebLoginLink).where(WebLoginLink.expires_at <= now - LINK_LIFETIME)
    )
    sessions = await session.execute(
        delete(WebSession).where(
            (WebSession.expires_at <= now) | (WebSession.last_seen_at <= now - SESSION_IDLE)
        )
    )
    return rows_changed(links) + rows_changed(sessions)
