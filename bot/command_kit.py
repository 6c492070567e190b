"""What every order command shares: only staff get past the door, every reply is Telegram HTML
with whatever people typed escaped, long lists are cut with "… and N more" within 4096
characters, and a mistake in the arguments is answered with the command's right usage.

A command body is a coroutine taking a `Said` and raising `Refusal` for anything a person
should read instead of the answer; the domain's own refusals (`OrderError`) are shown too, and
anything else is logged and answered with "something went wrong", never silence.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from application.services import OrderService
from application.staff import staff_member
from application.wording.refusals import describe
from bot.cards import MAX_TEXT, clean, escaped, rows_that_fit, utf16_length
from bot.deps import BotContext, BotDeps, BotSettings
from bot.strings import strings
from orders import errors
from orders.actors import Actor, Source
from orders.staff import Role, StaffMember

log = logging.getLogger(__name__)

VALUE_CAP: Final = 300  # most characters one typed value takes in a reply


class Refusal(Exception):
    """A reply (Telegram HTML) given instead of what the command does."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


Member = StaffMember  # the staff member who typed the command, as read when it came


@dataclass(frozen=True)
class Said:
    """A command as the bot got it: the message, its arguments, who sent it, and the service."""

    message: Message
    args: Sequence[str]
    member: Member
    service: OrderService
    settings: BotSettings
    deps: BotDeps | None = None  # the carriers and the shop, for what needs more than orders

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def actor(self) -> Actor:
        return Actor(Source.STAFF, self.member.name, staff_id=self.member.id)

    @property
    def is_manager(self) -> bool:
        return self.member.role == Role.MANAGER.value

    def t(self, key: str, **values: object) -> str:
        """A string of the table with its fields filled in, each value cleaned and escaped."""
        return say(self.language, key, **values)

    def refuse(self, key: str, **values: object) -> Refusal:
        return Refusal(self.t(key, **values))

    def usage(self, command: str) -> Refusal:
        return Refusal(self.t("cmd.usage", usage=strings(self.language)[f"usage.{command}"]))

    def require_manager(self) -> None:
        if not self.is_manager:
            raise self.refuse("cmd.managers_only")

    async def reply(self, body: str, markup: InlineKeyboardMarkup | None = None) -> Message:
        return await self.message.reply_text(body, parse_mode=ParseMode.HTML, reply_markup=markup)


def say(language: str, key: str, **values: object) -> str:
    template = strings(language)[key]
    if not values:
        return template
    safe = {
        name: value if isinstance(value, int) else escaped(value, VALUE_CAP)
        for name, value in values.items()
    }
    return template.format(**safe)


def fit_rows(head: str, rows: Sequence[str], language: str, tail: str = "") -> str:
    """Head, as many rows as fit in one message, "… and N more" for the rest, then tail."""
    more_room = utf16_length(say(language, "cmd.more", count=len(rows))) + 1
    room = MAX_TEXT - utf16_length(head) - utf16_length(tail) - more_room - 2
    kept = rows_that_fit(rows, room)
    if len(kept) < len(rows):
        kept.append(f"<i>{say(language, 'cmd.more', count=len(rows) - len(kept))}</i>")
    return "\n".join(part for part in (head, *kept, tail) if part)


def plain(value: object) -> str:
    """A value for a reply that is already known to be safe text: cleaned and escaped."""
    return html.escape(clean(value), quote=False)


Body = Callable[[Said], Awaitable[None]]


def command(name: str, body: Body, settings: BotSettings) -> CommandHandler:
    """`/name` running `body` for staff only; everyone else is told so and nothing happens."""

    async def on_command(update: Update, context: BotContext) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        language = settings.language
        deps = context.bot_data.deps
        service = deps.orders if deps else None
        try:
            if service is None:  # a command before the service was up
                raise Refusal(say(language, "cmd.failed"))
            member = await staff_member(service, user.id)
            if member is None:
                raise Refusal(say(language, "cmd.not_staff"))
            said = Said(message, list(context.args or []), member, service, settings, deps)
            await body(said)
        except Refusal as refusal:
            await message.reply_text(refusal.reply, parse_mode=ParseMode.HTML)
        except errors.OrderError as error:  # not found, invalid, not allowed: in the shop's words
            await message.reply_text(plain(describe(error, language)), parse_mode=ParseMode.HTML)
        except Exception:
            log.exception("telegram command /%s failed", name)
            await message.reply_text(say(language, "cmd.failed"), parse_mode=ParseMode.HTML)

    return CommandHandler(name, on_command)
