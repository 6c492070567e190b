"""`/web`: a one-time link that signs the staff member into the web pages, the same kind of
link `chotdon login-link` prints (`application.web_logins`).

The link is a credential for 15 minutes, so it is never posted in the group: in a private chat
the bot answers with it; in the group it sends it to the member privately and says so there.
Telegram lets a bot write first only to people who have started it; when it refuses
(403 "bot can't initiate conversation with a user"), the group is told how to start the bot.
Link previews are off: a preview robot fetching the link must not be what uses it up (the
login route also refuses to spend a link on known preview robots).
"""

from __future__ import annotations

from telegram import LinkPreviewOptions
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden
from telegram.ext import CommandHandler

from application.web_logins import login_url
from application.web_sessions import new_login_link
from bot.command_kit import Said, command
from bot.deps import BotSettings

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def handlers(settings: BotSettings) -> list[CommandHandler]:
    return [command("web", web, settings)]


async def web(said: Said) -> None:
    member = said.member
    token = await new_login_link(said.service, member.telegram_id)
    link = said.t("web.link", name=member.name, url=login_url(said.settings.public_url, token))
    if said.message.chat.type == ChatType.PRIVATE:
        await said.message.reply_text(
            link, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
        return
    bot = said.message.get_bot()
    try:
        await bot.send_message(
            member.telegram_id, link, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
    except Forbidden:
        raise said.refuse("web.start_private", name=member.name, bot=f"@{bot.username}") from None
    await said.reply(said.t("web.sent_private", name=member.name))
