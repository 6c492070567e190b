"""`/excel [tab] [mine | @name] [live VIDEO_ID | live #N | live]`: the orders list as an Excel
file, sent to the chat as a document. It reads its words as `/orders` does, so `/excel draft
mine` is every order `/orders draft mine` pages through, in one file
(`application.orders_xlsx`, in the shop's language).

The file is written off the event loop (the workbook is built in a worker thread) while the
chat shows "sending a file…"; a list with no order is answered in words, not with an empty
file.
"""

from __future__ import annotations

from telegram.constants import ChatAction, ParseMode
from telegram.ext import CommandHandler

from application.live_reads import LiveRef
from application.orders_xlsx import orders_workbook
from bot import callbacks as cb
from bot.command_kit import Said, command, say
from bot.deps import BotSettings
from bot.list_words import read_list_words
from bot.strings import strings
from orders.queries import OrderFilter
from orders.staff import StaffMember


def handlers(settings: BotSettings) -> list[CommandHandler]:
    return [command("excel", excel, settings)]


async def excel(said: Said) -> None:
    words = await read_list_words(said, "excel")
    tab, member, live = words.tab, words.member, words.live
    filters = OrderFilter(
        status=None if tab == cb.ALL_TAB else tab,
        staff=member.telegram_id if member else None,
        video_id=live.video_id if live else None,
    )
    what = _what(said.language, tab, member, live)
    await said.message.reply_chat_action(ChatAction.UPLOAD_DOCUMENT)
    book = await orders_workbook(said.service, filters, said.language)
    if not book.orders:
        raise said.refuse("excel.empty", what=what)
    caption = say(said.language, "excel.caption", what=what, orders=book.orders, lines=book.lines)
    await said.message.reply_document(
        book.data, filename=book.filename, caption=caption, parse_mode=ParseMode.HTML
    )


def _what(language: str, tab: str, member: StaffMember | None, live: LiveRef | None) -> str:
    """`Nháp · Lan · Live: Sale 12/12`: the list the file holds, as plain text (`say` escapes
    it once it is put in a reply)."""
    words = strings(language)
    parts = [words["tab.all"] if tab == cb.ALL_TAB else words[f"status.{tab}"]]
    if member is not None:
        parts.append(member.name)
    if live is not None:
        parts.append(words["list.of_live"].format(title=live.title or live.video_id))
    return " · ".join(parts)
