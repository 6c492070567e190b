"""Editing in the chat: the bot asks for one field with a reply prompt, staff reply, the order
changes.

A prompt is a message answering the card with Telegram's force-reply (selective, so only the
staff member who asked gets the reply box); it is recorded in `telegram_prompts`, so the reply
finds its order and field however late it comes and whichever process receives it. The reply
is read by `application.typed_values`; a value that cannot be read, or that the order refuses,
gets a new prompt saying what was wrong, so staff just type again. The change is applied with the
version the order had when the field was chosen: if anyone changed the order meanwhile, staff
are asked again rather than writing over what they did not see. The card itself is redrawn by
the notifier, like every other change.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from telegram import Bot, ForceReply, Message, Update, User
from telegram.constants import ParseMode
from telegram.ext import MessageHandler, filters

from application.chat_prompts import Prompt, forget_prompt, prompt_at, remember_prompt
from application.customers import flag_order_buyer
from application.order_codes import codes_for
from application.services import OrderService
from application.staff import staff_member
from application.typed_values import SHIPPER, BadReply, read_money, read_reply
from application.wording.refusals import describe
from bot import callbacks as cb
from bot.approvals import question
from bot.cards import clean
from bot.deps import BotContext, BotSettings
from bot.keyboards import risky_keyboard
from bot.strings import text
from orders import errors
from orders.actors import Actor, Source
from orders.changes import OrderChanges
from orders.lifecycle import Action
from orders.payments import PaymentIn, PaymentMethod
from orders.transitions import ShipWith
from orders.views import OrderRow, OrderView
from render.formats import format_vnd

log = logging.getLogger(__name__)

MAX_PLACEHOLDER: Final = 64  # Telegram's limit for input_field_placeholder
FLAG: Final = "flag"  # the prompt asking why a buyer is flagged (`bot.menus`)
DEPOSIT: Final = "deposit"  # the deposit a buyer pays first: the order becomes a deposit order
RECEIVED: Final = "received"  # money that came in outside the bank's webhook (cash, a transfer)


@dataclass(frozen=True)
class Question:
    """Where to ask (the chat, the card or prompt to answer) and whom."""

    chat_id: int
    reply_to: int
    user: User


def mention(user: User) -> str:
    name = html.escape(clean(user.full_name) or str(user.id), quote=False)
    return f'<a href="tg://user?id={user.id}">{name}</a>'


def prompt_text(language: str, order: OrderRow, field: str, user: User, error: str) -> str:
    code = html.escape(str(order.code or order.id), quote=False)
    lines = [f"{mention(user)} " + text(language, f"prompt.{field}", code=code)]
    if error:
        lines.insert(0, "⚠️ " + html.escape(error, quote=False))
    lines.append(f"<i>{text(language, 'prompt.hint')}</i>")
    return "\n".join(lines)


async def ask(
    bot: Bot,
    service: OrderService,
    question: Question,
    order: OrderRow,
    field: str,
    *,
    language: str,
    error: str = "",
) -> Message:
    """Posts the prompt for `field` of `order` (its version is the one the reply will be
    applied to) and records it."""
    placeholder = text(language, f"placeholder.{field}")[:MAX_PLACEHOLDER]
    sent = await bot.send_message(
        question.chat_id,
        prompt_text(language, order, field, question.user, error),
        parse_mode=ParseMode.HTML,
        reply_to_message_id=question.reply_to,
        allow_sending_without_reply=True,
        reply_markup=ForceReply(selective=True, input_field_placeholder=placeholder),
    )
    await remember_prompt(
        service,
        chat_id=question.chat_id,
        message_id=sent.message_id,
        order_id=order.id,
        version=order.version,
        field=field,
        asked_by=question.user.id,
    )
    return sent


# Another conversation's reply reader (`bot.new_order`): True when the reply was its own.
OtherReplies = Callable[[OrderService, Message, str], Awaitable[bool]]


def handlers(settings: BotSettings, others: Sequence[OtherReplies] = ()) -> list[MessageHandler]:
    """The one handler of replies: to a field prompt here, else to `others`' questions."""
    replies = Replies(settings, others)
    return [MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, replies.on_reply)]


class Replies:
    def __init__(self, settings: BotSettings, others: Sequence[OtherReplies] = ()) -> None:
        self.language = settings.language
        self.others = tuple(others)

    async def on_reply(self, update: Update, context: BotContext) -> None:
        message = update.effective_message
        deps = context.bot_data.deps
        service = deps.orders if deps else None
        if message is None or message.reply_to_message is None or service is None:
            return
        prompt = await prompt_at(service, message.chat.id, message.reply_to_message.message_id)
        if prompt is None:
            await self._other(service, message)
            return
        try:
            await self._answer(context.bot, service, message, prompt)
        except Exception:
            log.exception("telegram reply to prompt %s failed", prompt.message_id)
            await message.reply_text(text(self.language, "alert.failed"))

    async def _other(self, service: OrderService, message: Message) -> None:
        """A reply to another conversation's question, or to something the bot did not ask."""
        try:
            for other in self.others:
                if await other(service, message, self.language):
                    return
        except Exception:
            log.exception("telegram reply to message %s failed", message.message_id)
            await message.reply_text(text(self.language, "alert.failed"))

    async def _answer(
        self, bot: Bot, service: OrderService, message: Message, prompt: Prompt
    ) -> None:
        user = message.from_user
        if user is None:
            return
        actor = await _actor(service, user.id)
        if actor is None:
            await message.reply_text(text(self.language, "alert.not_staff"))
            return
        question = Question(message.chat.id, message.message_id, user)
        try:
            order = await service.detail(prompt.order_id)
        except errors.NotFound:
            await message.reply_text(text(self.language, "alert.not_found"))
            return

        async def again(asked: OrderRow, error: str) -> None:
            await ask(
                bot, service, question, asked, prompt.field, language=self.language, error=error
            )

        as_asked = replace(order, version=prompt.version)  # a typo does not refresh the version
        if prompt.field == FLAG:
            await self._flag(service, message, prompt, order, actor)
            return
        try:
            value = await read_answer(service, prompt.field, message.text or "", order)
            done = await _apply(service, prompt, value, actor)
        except BadReply as bad:
            await again(as_asked, text(self.language, bad.key, **bad.values))
            return
        except errors.StaleVersion:
            await again(await service.detail(prompt.order_id), text(self.language, "reply.stale"))
            return
        except (errors.RiskyBuyer, errors.AwaitingPayment) as held:
            await forget_prompt(service, prompt.id)
            if isinstance(value, ShipWith):  # only shipping is held back so far
                await self._ask_approval(message, prompt, value, held)
            else:
                await message.reply_text("⚠️ " + describe(held, self.language))
            return
        except errors.InvalidInput as refused:
            await again(as_asked, describe(refused, self.language))
            return
        except errors.OrderError as refused:  # not allowed any more: asking again cannot help
            await forget_prompt(service, prompt.id)
            await message.reply_text("⚠️ " + describe(refused, self.language))
            return
        await forget_prompt(service, prompt.id)
        await message.reply_text(self._saved(prompt.field, done))

    async def _flag(
        self, service: OrderService, message: Message, prompt: Prompt, order: OrderRow, actor: Actor
    ) -> None:
        """The reply to "why is the buyer flagged": the reason, as typed (bounded)."""
        reason = " ".join((message.text or "").split())
        try:
            await flag_order_buyer(service, prompt.order_id, True, reason, actor)
        except errors.OrderError as refused:
            await message.reply_text("⚠️ " + describe(refused, self.language))
            return
        await forget_prompt(service, prompt.id)
        await message.reply_text(text(self.language, "done.flag", code=order.code or order.id))

    async def _ask_approval(
        self,
        message: Message,
        prompt: Prompt,
        ship_with: ShipWith,
        held: errors.RiskyBuyer | errors.AwaitingPayment,
    ) -> None:
        """A typed shipper the rules hold back: "ship anyway?" under the staff's message, so
        Yes (`bot.menus.approved`) reads the shipper from it again; No closes the question."""
        approve = cb.Approve(
            prompt.order_id,
            prompt.version,
            Action.SHIP.value,
            cb.INDIVIDUAL,
            ship_with.phone,
            risky=isinstance(held, errors.RiskyBuyer),
            unpaid=isinstance(held, errors.AwaitingPayment),
        )
        keyboard = risky_keyboard(approve, language=self.language, no=cb.Close())
        said = "⚠️ " + question(held, Action.SHIP.value, self.language)
        await message.reply_text(said, reply_markup=keyboard)

    def _saved(self, field: str, order: OrderRow) -> str:
        code = order.code or order.id
        if field == SHIPPER:
            carrier = order.shipper.name if order.shipper else None
            return "✅ " + text(self.language, "done.ship", code=code, carrier=carrier)
        if field == RECEIVED:
            pay = order.payment
            paid, due = format_vnd(pay.paid), format_vnd(max(pay.due, 0))
            return "✅ " + text(self.language, "done.received", code=code, paid=paid, due=due)
        name = text(self.language, f"field.{field}")
        return "✅ " + text(self.language, "reply.saved", field=name, code=code)


async def read_answer(
    service: OrderService, field: str, typed: str, order: OrderView
) -> OrderChanges | ShipWith | PaymentIn:
    """The reply as the change it asks for: money for the deposit and money received (read as
    the COD amount is), the other fields by `application.typed_values`."""
    if field in (DEPOSIT, RECEIVED):
        if not typed.strip():
            raise BadReply("reply.empty")
        amount = read_money(typed)
        if field == RECEIVED:
            return PaymentIn(amount)
        return OrderChanges(payment_method=PaymentMethod.DEPOSIT.value, deposit=amount)
    table = await codes_for(service, order)
    return read_reply(field, typed, table, order.lines)


async def _apply(
    service: OrderService,
    prompt: Prompt,
    value: OrderChanges | ShipWith | PaymentIn,
    actor: Actor,
) -> OrderView:
    """Money received is true whatever changed since the question: it goes in without a
    version (`record_payment`); everything else applies to the version that was asked."""
    if isinstance(value, PaymentIn):
        return await service.act(
            prompt.order_id, Action.RECORD_PAYMENT, actor=actor, version=None, payment=value
        )
    if isinstance(value, ShipWith):
        return await service.act(
            prompt.order_id, Action.SHIP, actor=actor, version=prompt.version, ship_with=value
        )
    return await service.act(
        prompt.order_id, Action.EDIT, actor=actor, version=prompt.version, changes=value
    )


async def _actor(service: OrderService, telegram_id: int) -> Actor | None:
    staff = await staff_member(service, telegram_id)
    return None if staff is None else Actor(Source.STAFF, staff.name, staff_id=staff.id)
