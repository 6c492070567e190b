"""`/live`: the live sessions with their counts, and for managers opening and closing ordering.

Opening and closing go through the same `application.live_sessions` functions as
`chotdon live open/close`, so the chat and the CLI cannot disagree on what "closed" means
(later comments are kept and flagged late). A session is named by its video id, as in the CLI,
or by `#N`, the number this list shows (video ids are long to type on a phone).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from application.live_sessions import close_session, list_sessions, open_session
from bot import callbacks as cb
from bot.cards import escaped
from bot.command_kit import Said, fit_rows
from bot.keyboards import button, rows
from livestream.tables import LiveSession

SHOWN: Final = 20  # newest sessions listed (and given an orders button)


async def find_live(session: AsyncSession, token: str | None) -> LiveSession | None:
    """`#N` is the session numbered N; anything else a video id; nothing at all the newest."""
    if token is None:
        return await session.scalar(select(LiveSession).order_by(LiveSession.id.desc()).limit(1))
    number = token[1:]
    if token.startswith("#") and number.isascii() and number.isdigit() and len(number) <= 10:
        return await session.get(LiveSession, int(number))
    return await session.scalar(select(LiveSession).where(LiveSession.video_id == token))


async def live(said: Said) -> None:
    if not said.args:
        await _show(said)
        return
    action, rest = said.args[0].lower(), list(said.args[1:])
    if action not in ("open", "close") or not rest or (action == "close" and len(rest) != 1):
        raise said.usage("live")
    said.require_manager()
    async with said.service.transaction() as session:
        video_id = rest[0]
        if video_id.startswith("#"):
            known = await find_live(session, video_id)
            if known is None:
                raise said.refuse("live.unknown", live=video_id)
            video_id = known.video_id
        if action == "open":
            title = " ".join(rest[1:]) or None
            opened = await open_session(session, video_id, title=title)
            done = said.t("live.opened", live=_name(opened))
        else:
            closed = await close_session(session, video_id)  # NotFound: the domain's words
            done = said.t("live.closed_now", live=_name(closed))
    await said.reply(done)


def _name(live: LiveSession) -> str:
    return f"#{live.id} {live.title}".strip() if live.title else f"#{live.id} {live.video_id}"


async def _show(said: Said) -> None:
    async with said.service.reading() as session:
        lives = await list_sessions(session)
        numbers = dict((await session.execute(select(LiveSession.video_id, LiveSession.id))).all())
    if not lives:
        await said.reply(said.t("live.none"))
        return
    shown = lives[:SHOWN]
    lines = []
    for view in shown:
        number = numbers[view.video_id]
        state = said.t("live.open" if view.ordering_open else "live.closed")
        title = escaped(view.title, 100)
        head = f"<b>#{number}</b> " + (f"<b>{title}</b> · " if title else "")
        counts = said.t(
            "live.counts", comments=view.comments, orders=view.orders, drafts=view.drafts
        )
        video = escaped(view.video_id, 64)
        lines.append(f"{head}<code>{video}</code> · {state}\n    {counts}")  # one row: cut whole
    tail = said.t("live.manage") if said.is_manager else ""
    head = f"📺 <b>{said.t('live.title')}</b>"
    buttons = [
        button(
            said.t("live.orders_button", number=numbers[view.video_id]),
            cb.ListPage(cb.ALL_TAB, live=numbers[view.video_id]),
        )
        for view in shown
    ]
    await said.reply(
        fit_rows(head, lines, said.language, tail), InlineKeyboardMarkup(rows(buttons, 2))
    )
