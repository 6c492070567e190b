"""Taps on the bot's inline buttons: staff move orders from the group.

Every tap is answered (answerCallbackQuery) before anything else is sent, refusals as an alert,
so the button's spinner stops and the person learns why. Only staff act; the data is decoded
by `bot.callbacks` and anything it refuses is a button that no longer works. An action carries
the version the card was drawn for: a tap on an older card, or the second of two taps at once,
or the same update delivered twice, meets `StaleVersion`, gets "the order changed" and the card
is redrawn in place from the order as it is now.

The menus (ship, edit, the code picker) are `bot.menus`, printing `bot.printouts`, lists and
digests `bot.lists` and `bot.digests`: this module only decodes, checks who tapped, dispatches
and talks to Telegram. A successful action is answered briefly and the card is left to the
notifier, which edits it for every change whatever its source.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler

from application.services import OrderService
from application.staff import staff_member
from application.wording.refusals import describe
from bot import callbacks as cb
from bot import digests, lists, live_command, menus, new_order, printouts
from bot.answers import Answer, Tap, cut
from bot.cards import card_text
from bot.deps import BotContext, BotDeps, BotSettings
from bot.keyboards import card_keyboard
from bot.strings import text
from orders import errors
from orders.actors import Actor, Source
from orders.lifecycle import PRINT_ACTIONS, Action
from orders.views import OrderRow
from render.strings import carrier_name

log = logging.getLogger(__name__)


def handlers(settings: BotSettings) -> list[CallbackQueryHandler]:
    taps = Taps(settings)
    return [CallbackQueryHandler(taps.on_tap)]


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in str(error).lower()


class Taps:
    def __init__(self, settings: BotSettings) -> None:
        self.settings = settings
        self.language = settings.language

    def _alert(self, key: str, *, redraw: int | None = None) -> Answer:
        return Answer(cut(text(self.language, key)), alert=True, redraw=redraw)

    async def on_tap(self, update: Update, context: BotContext) -> None:
        query = update.callback_query
        if query is None:
            return
        deps = context.bot_data.deps
        service = deps.orders if deps else None
        try:
            if deps is None:  # the bot took a tap before the service was up
                answer = self._alert("alert.failed")
            else:
                answer = await self._handle(deps, query)
        except Exception:
            log.exception("telegram tap %r failed", query.data)
            answer = self._alert("alert.failed")
        try:
            await query.answer(answer.text or None, show_alert=answer.alert)
        except TelegramError as error:  # too old, or answered already: go on with the card
            log.info("telegram tap: cannot answer the callback query (%s)", error)
        try:
            if answer.redraw is not None and service is not None:
                await self._redraw(service, query, answer.redraw)
            elif answer.menu is not None:
                await self._edit_markup(query, answer.menu)
            elif answer.delete:
                await self._delete(query)
            if answer.after is not None:
                await answer.after()
        except Exception:
            log.exception("telegram tap %r: cannot update the message", query.data)

    async def _handle(self, deps: BotDeps, query: CallbackQuery) -> Answer:
        service = deps.orders
        actor = await self._actor(service, query.from_user.id)
        if actor is None:
            return self._alert("alert.not_staff")
        try:
            tap = cb.decode(query.data or "")
        except cb.BadCallback as error:
            log.info("telegram tap: bad button %r (%s)", query.data, error)
            return self._alert("alert.bad_button")
        context = Tap(query, actor, service, self.settings, deps)
        try:
            match tap:
                case cb.ActionTap() if tap.action in PRINT_ACTIONS:
                    return printouts.print_tap(context, tap)
                case cb.ActionTap(order_id, version, action):
                    try:
                        order = await service.act(order_id, action, actor=actor, version=version)
                    except errors.RiskyBuyer as held:
                        approve = cb.Approve(order_id, version, action.value)
                        return menus.ask_approval(context, held, approve)
                    return self._done(action, order)
                case cb.Approve():
                    return await menus.approved(context, tap)
                case cb.PayMenu():
                    return await menus.pay_menu(context, tap)
                case cb.PayPick():
                    return await menus.pay_pick(context, tap)
                case cb.PaidAsk():
                    return await menus.paid_ask(context, tap)
                case cb.FlagAsk():
                    return await menus.flag_ask(context, tap)
                case cb.Unflag():
                    return await menus.unflag(context, tap)
                case cb.ShipMenu():
                    return await menus.ship_menu(context, tap)
                case cb.ShipPick():
                    return await menus.ship_pick(context, tap)
                case cb.EditMenu():
                    return await menus.edit_menu(context, tap)
                case cb.EditPick():
                    return await menus.edit_pick(context, tap)
                case cb.FixMenu():
                    return await menus.fix_menu(context, tap)
                case cb.FixCode():
                    return await menus.fix_code(context, tap)
                case cb.AcceptLine():
                    return await menus.accept(context, tap)
                case cb.Back(order_id, version):
                    order = await service.detail(order_id)
                    if order.version != version:
                        return Answer(redraw=order_id)  # the text is old too: redraw it all
                    return Answer(menu=card_keyboard(order, language=self.language))
                case cb.Close():
                    return Answer(delete=True)
                case cb.NewOrderTap():
                    return await new_order.tap(context, tap)
                case cb.OpenCard():
                    return await digests.open_card(context, tap)
                case cb.ListPage():
                    return await lists.list_page(context, tap)
                case cb.StopLive():
                    return await live_command.stop_tap(context, tap)
                case _:
                    return self._alert("alert.unavailable")
        except errors.StaleVersion:
            return self._alert("alert.stale", redraw=tap_order(tap))
        except errors.NotFound:
            return self._alert("alert.not_found")
        except errors.OrderError as error:  # not allowed, incomplete, out of stock, invalid
            return Answer(cut(describe(error, self.language)), alert=True)

    async def _actor(self, service: OrderService, telegram_id: int) -> Actor | None:
        staff = await staff_member(service, telegram_id)
        if staff is None:
            return None
        return Actor(Source.STAFF, staff.name, staff_id=staff.id)

    def _done(self, action: Action, order: OrderRow, carrier: str = "") -> Answer:
        code = order.code or order.id
        name = carrier_name(carrier) if carrier else ""
        return Answer(cut(text(self.language, f"done.{action.value}", code=code, carrier=name)))

    async def _redraw(self, service: OrderService, query: CallbackQuery, order_id: int) -> None:
        """The tapped message shows the order as it is now, with the buttons of its status."""
        try:
            order = await service.detail(order_id)
        except errors.NotFound:
            return
        try:
            await query.edit_message_text(
                card_text(order, language=self.language),
                parse_mode=ParseMode.HTML,
                reply_markup=card_keyboard(order, language=self.language),
            )
        except BadRequest as error:
            if not _not_modified(error):
                raise

    async def _edit_markup(self, query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
        try:
            await query.edit_message_reply_markup(reply_markup=markup)
        except BadRequest as error:
            if not _not_modified(error):
                raise

    async def _delete(self, query: CallbackQuery) -> None:
        message = query.message
        if message is None:
            return
        try:
            await query.get_bot().delete_message(message.chat.id, message.message_id)
        except TelegramError as error:
            log.info("telegram tap: cannot delete the menu message (%s)", error)


def tap_order(tap: cb.Callback) -> int | None:
    return getattr(tap, "order_id", None)
