"""The order commands of the staff group: `/orders`, `/order CODE`, `/claim`, `/debt`, and
(from their own modules) `/live` and `/staff`.

Only staff get an answer (`command_kit.command`); managers alone manage staff and open or close
ordering. Claiming a buyer is an `edit` of the order's staff through `OrderService.act`, the
one function that changes orders, so it is checked, versioned, logged and redrawn on the card
like any edit. The lifecycle allows editing only in draft and waiting for shipping, and the
claim keeps to that: once the parcel has left, who "takes care of" the buyer (the seed's
filter for the live's orders) is history, and the chat says so rather than rewriting it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from telegram import Message
from telegram.constants import ParseMode

from application.chat_cards import order_of_card
from application.live_reads import live_title
from application.lookups import order_id_by_code
from application.wording.history import history_line
from bot import callbacks as cb
from bot import lists, new_order
from bot.batch_command import batch_command
from bot.cards import card_text, escaped
from bot.command_kit import Body, Said, command, fit_rows
from bot.deps import BotSettings
from bot.keyboards import card_keyboard
from bot.list_words import read_list_words
from bot.live_command import live
from bot.staff_command import staff
from bot.strings import STRINGS, text
from orders import browse, errors
from orders.changes import OrderChanges
from orders.cod import ShipperDebt
from orders.lifecycle import Action, Status, is_allowed
from orders.views import OrderView
from render.formats import format_local_datetime, format_vnd
from render.strings import carrier_name

HISTORY_SHOWN: Final = 10  # the latest events under `/order`; the page shows them all
HISTORY_LINE_CHARS: Final = 300  # a carrier's long message stays within Telegram's 4096
CLAIM_ATTEMPTS: Final = 3  # a claim acts on the order as it is now: a race is simply retried
DEBT_CODES_SHOWN: Final = 5
# The first line of a card, in either language: "🧾 Đơn CD000101 · Nháp".
CARD_HEAD: Final = re.compile(
    "^🧾 (?:"
    + "|".join(re.escape(table["card.order"]) for table in STRINGS.values())
    + r") (\S+) · "
)


def handlers(settings: BotSettings) -> list:
    table: dict[str, Body] = {
        "orders": orders,
        "order": order,
        "claim": claim,
        "live": live,
        "debt": debt,
        "staff": staff,
        "new": new_order.start,
        "batch": batch_command,
    }
    return [command(name, body, settings) for name, body in table.items()]


async def orders(said: Said) -> None:
    """`/orders [tab] [mine | @name] [live VIDEO_ID | live #N | live]`: the first page."""
    words = await read_list_words(said, "orders")
    staff_id = words.member.id if words.member else None
    live_id = words.live.id if words.live else None
    page = cb.ListPage(words.tab, browse.NEWEST, staff_id, live_id)
    body, markup = await lists.render(said.service, page, said.language)
    await said.reply(body, markup)


async def order(said: Said) -> None:
    """`/order CODE`: the order's card, with its buttons, as a reply."""
    if len(said.args) != 1:
        raise said.usage("order")
    order_id = await order_id_by_code(said.service, said.args[0])
    if order_id is None:
        raise said.refuse("order.unknown", code=said.args[0])
    snapshot = await said.service.detail(order_id)
    title = await live_title(said.service, snapshot.video_id)
    card = await said.message.reply_text(
        card_text(snapshot, language=said.language, session_title=title),
        parse_mode=ParseMode.HTML,
        reply_markup=card_keyboard(snapshot, language=said.language),
    )
    history = history_text(snapshot, said.language)
    if history:
        await card.reply_text(history)  # plain text: no markup to escape


def history_text(snapshot: OrderView, language: str) -> str:
    """The order's latest events, newest last, in the shop's language."""
    events = snapshot.events[-HISTORY_SHOWN:]
    if not events:
        return ""
    title = text(language, "order.history", code=snapshot.code or "")
    lines = []
    for event in events:
        line = history_line(event, language)
        when = format_local_datetime(datetime.fromisoformat(line.at)) if line.at else ""
        lines.append(cut_line(f"• {when} {line.actor} ({line.source}): {line.text}"))
    return "\n".join([title, *lines])


def cut_line(line: str) -> str:
    return line if len(line) <= HISTORY_LINE_CHARS else line[: HISTORY_LINE_CHARS - 1] + "…"


def code_on_card(message: Message) -> str | None:
    """The order code a card shows on its first line, for cards the bot sent as a reply
    (`/order CODE`) rather than as the order's one card in the group."""
    found = CARD_HEAD.match(message.text or "")
    return found.group(1) if found else None


async def _card_order(said: Said, card: Message) -> int | None:
    bot_id = said.message.get_bot().id
    if card.from_user is None or card.from_user.id != bot_id:
        return None
    return await order_of_card(said.service, card.chat.id, card.message_id, code_on_card(card))


async def claim(said: Said) -> None:
    """`/claim` as a reply to a card: the sender takes care of this order's buyer."""
    card = said.message.reply_to_message
    if card is None or said.args:
        raise said.usage("claim")
    order_id = await _card_order(said, card)
    if order_id is None:
        raise said.refuse("claim.not_card")
    code = ""
    for _ in range(CLAIM_ATTEMPTS):
        now = await said.service.detail(order_id)
        code = now.code or f"#{order_id}"
        before = now.staff
        if before and before.telegram_id == said.member.telegram_id:
            raise said.refuse("claim.already", code=code)
        status = Status(now.status)
        if not is_allowed(Action.EDIT, status):
            raise said.refuse("claim.closed", code=code, status=said.t(f"status.{status.value}"))
        try:
            claimed = await said.service.act(
                order_id,
                Action.EDIT,
                actor=said.actor,
                version=now.version,
                changes=OrderChanges(staff_id=said.member.id),
            )
        except errors.StaleVersion:
            continue
        buyer = claimed.customer.name or said.t("card.missing")
        done = said.t("claim.done", staff=said.member.name, buyer=buyer, code=code)
        if before:
            done += " " + said.t("claim.before", name=before.name)
        await said.reply(done)
        return
    raise said.refuse("claim.busy", code=code)


def _shipper(said: Said, debt: ShipperDebt) -> str:
    if debt.kind == "individual":
        return f"{said.t('carrier.individual')} {debt.label}".strip()
    return carrier_name(debt.kind)


async def debt(said: Said) -> None:
    """`/debt`: the COD each carrier and individual shipper collected and still owes."""
    debts = await said.service.debts()
    if not debts:
        await said.reply(said.t("debt.none"))
        return
    rows = []
    for owed in debts:
        codes = [escaped(o.code or f"#{o.order_id}", 20) for o in owed.orders[:DEBT_CODES_SHOWN]]
        if len(owed.orders) > DEBT_CODES_SHOWN:
            codes.append(said.t("cmd.more", count=len(owed.orders) - DEBT_CODES_SHOWN))
        rows.append(
            f"🚚 <b>{escaped(_shipper(said, owed), 120)}</b>: <b>{format_vnd(owed.amount)}</b>"
            f" · {said.t('debt.orders', count=len(owed.orders))}: {', '.join(codes)}"
        )
    total = format_vnd(sum(owed.amount for owed in debts))
    tail = f"<b>{said.t('debt.total')}: {total}</b>"
    await said.reply(fit_rows(f"💵 <b>{said.t('debt.title')}</b>", rows, said.language, tail))
