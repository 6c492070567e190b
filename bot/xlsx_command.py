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

from application.live_reads import LiveRef, live_named
from application.orders_xlsx import orders_workbook
from application.staff import members_named
from bot import callbacks as cb
from bot.command_kit import Said, command, say
from bot.deps import BotSettings
from bot.strings import strings
from orders.queries import OrderFilter
from orders.staff import StaffMember


def handlers(settings: BotSettings) -> list[CommandHandler]:
    return [command("excel", excel, settings)]


async def excel(said: Said) -> None:
    tab, member, live = await _read_words(said)
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


async def _read_words(said: Said) -> tuple[str, StaffMember | None, LiveRef | None]:
    """The tab, the staff member and the live session the words name, as `/orders` reads
    them: each at most once, in any order."""
    tab: str | None = None
    member: StaffMember | None = None
    live: LiveRef | None = None
    words = iter(said.args)
    for token in words:
        word = token.lower()
        if word in cb.TABS and tab is None:
            tab = word
        elif word == "mine" and member is None:
            member = said.member
        elif token.startswith("@") and len(token) > 1 and member is None:
            member = await _staff_called(said, token[1:])
        elif word == "live" and live is None:
            live = await _live_called(said, next(words, None))
        else:
            raise said.usage("excel")
    return tab or cb.ALL_TAB, member, live


async def _staff_called(said: Said, name: str) -> StaffMember:
    found = await members_named(said.service, name)
    if not found:
        raise said.refuse("list.no_staff_named", name=name)
    if len(found) > 1:
        names = ", ".join(f"{person.name} ({person.telegram_id})" for person in found)
        raise said.refuse("list.many_staff_named", name=name, names=names)
    return found[0]


async def _live_called(said: Said, token: str | None) -> LiveRef:
    found = await live_named(said.service, token)
    if found is None:
        raise said.refuse("live.unknown" if token else "live.none", live=token or "")
    return found


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
