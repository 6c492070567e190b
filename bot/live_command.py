"""`/live`: the live sessions with their counts, and for managers opening and closing ordering.

Opening and closing go through the same `application.live_sessions` functions as
`chotdon live open/close`, so the chat and the CLI cannot disagree on what "closed" means
(later comments are kept and flagged late). A session is named by its video id, as in the CLI,
or by `#N`, the number this list shows (video ids are long to type on a phone).
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from application.live_ordering import close_ordering, open_ordering
from application.live_reads import (
    LiveRef,
    OpenedLive,
    SourceCounts,
    live_comment_sources,
    numbered_live_sessions,
)
from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.cards import escaped
from bot.command_kit import Said, fit_rows
from bot.keyboards import button, rows
from bot.strings import text

log = logging.getLogger(__name__)

SHOWN: Final = 20  # newest sessions listed (and given an orders button)


async def live(said: Said) -> None:
    if not said.args:
        await _show(said)
        return
    action, rest = said.args[0].lower(), list(said.args[1:])
    if action not in ("open", "close") or not rest or (action == "close" and len(rest) != 1):
        raise said.usage("live")
    said.require_manager()
    named = rest[0]
    if action == "open":
        done = await open_ordering(said.service, named, title=" ".join(rest[1:]) or None)
    else:
        done = await close_ordering(said.service, named)  # NotFound: the domain's words
    if done is None:
        raise said.refuse("live.unknown", live=named)
    key = "live.opened" if action == "open" else "live.closed_now"
    await said.reply(said.t(key, live=_name(done)))


def _sources(said: Said, counts: SourceCounts) -> str:
    """Which source delivered the live's comments first: a poll count that grows says the
    webhook misses comments (docs/comment-sources.md)."""
    text = said.t("live.sources", webhook=counts.webhook, poll=counts.poll)
    if counts.instagram:
        text += said.t("live.sources_instagram", instagram=counts.instagram)
    return text


def _name(live: LiveRef) -> str:
    return f"#{live.id} {live.title}".strip() if live.title else f"#{live.id} {live.video_id}"


async def _show(said: Said) -> None:
    found = await numbered_live_sessions(said.service)
    lives, numbers = found.sessions, found.numbers
    if not lives:
        await said.reply(said.t("live.none"))
        return
    shown = lives[:SHOWN]
    sources = await live_comment_sources(said.service)
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
        # Which of the shop's Pages the live is on, and where its comments came from.
        page = f" · {said.t('live.page', page=view.page_id)}" if view.page_id else ""
        by_source = _sources(said, sources.get(view.video_id, SourceCounts()))
        # One row: cut whole.
        lines.append(f"{head}<code>{video}</code>{page} · {state}\n    {counts}\n    {by_source}")
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


def opened_message(live: OpenedLive, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """What the staff group reads when a live opened by itself, with the button to stop
    ordering (`stop_tap`)."""
    key = "live.auto_opened_instagram" if live.platform == "instagram" else "live.auto_opened"
    title = escaped(live.title, 200) if live.title else text(language, "live.untitled")
    words = text(language, key, title=title, video=escaped(live.video_id, 64), codes=live.codes)
    stop = button(text(language, "live.stop_button"), cb.StopLive(live.id))
    return words, InlineKeyboardMarkup([[stop]])


async def stop_tap(tap: Tap, pressed: cb.StopLive) -> Answer:
    """The stop button under "a live started": ordering closes as `/live close` closes it;
    the message then says who stopped it and loses its button."""
    named = f"#{pressed.live_id}"
    done = await close_ordering(tap.service, named)
    if done is None:
        return Answer(cut(text(tap.language, "live.unknown", live=named)), alert=True)
    query = tap.query

    async def mark() -> None:
        message = query.message
        before = getattr(message, "text_html", None) if message is not None else None
        stopped = text(tap.language, "live.stopped_by", name=escaped(tap.actor.name, 64))
        try:
            if before:
                await query.edit_message_text(
                    f"{before}\n{stopped}", parse_mode=ParseMode.HTML, reply_markup=None
                )
            else:
                await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError as error:
            log.info("live %s stopped; the message cannot be changed (%s)", named, error)

    return Answer(cut(text(tap.language, "live.closed_now", live=_name(done))), after=mark)
