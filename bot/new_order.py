"""`/new`: an order taken by phone or Messenger, as a short conversation in the group.

The bot asks for the buyer's phone; a buyer it knows by that phone is shown with the details on
file and two buttons (keep them, or type them again), anyone else is asked their name and
address. Then the items, typed as in a comment (`A1 2, B3 1`) against the catalog's codes, and
a summary with "Create draft" and "Cancel". Each question is a force-reply prompt answering
the staff member, and where the conversation stands is kept in `telegram_dialogues`
(`application.chat_dialogues`), so a reply finds it however late and in whichever process. A
value that cannot be read is asked again, saying why. The draft is made by
`OrderService.create_draft` (source `manual`, the staff member taking care of it), and its card
is posted by the notifier like any other draft's.
"""

from __future__ import annotations

import html
import logging
from typing import Any, Final

from telegram import Bot, ForceReply, InlineKeyboardMarkup, Message, User
from telegram.constants import ParseMode
from telegram.error import TelegramError

from application import customers
from application.chat_dialogues import (
    Dialogue,
    dialogue_at,
    dialogue_by_id,
    end_dialogue,
    move_dialogue,
    start_dialogue,
)
from application.order_codes import catalog_codes
from application.services import OrderService
from application.staff import staff_member
from application.typed_values import BadReply, read_items, read_reply
from application.views import CustomerRecord
from application.wording.refusals import describe
from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.cards import escaped
from bot.command_kit import Said
from bot.keyboards import button
from bot.prompts import MAX_PLACEHOLDER, mention
from bot.strings import text
from livestream.parser import CodeTable
from orders import errors
from orders.actors import Actor
from orders.changes import MAX_QUANTITY, TEXT_LIMITS, LineInput
from orders.drafts import Buyer, NewOrder
from orders.phones import normalize_phone
from orders.views import ItemView
from render.formats import format_vnd

log = logging.getLogger(__name__)

SKIP: Final = frozenset({"-", "—", "bo qua", "bỏ qua", "skip"})
ADDRESS_PARTS: Final = ("street", "ward", "district", "province")
REPLY_STEPS: Final = ("phone", "name", "address", "items")
VALUE_CAP: Final = 200


async def start(said: Said) -> None:
    """`/new`: the first question, the buyer's phone."""
    user = said.message.from_user
    if user is None:
        return
    sent = await _ask(said.message.get_bot(), said.message, user, "phone", said.language)
    await start_dialogue(
        said.service,
        chat_id=said.message.chat.id,
        message_id=sent.message_id,
        asked_by=user.id,
        step="phone",
    )


async def _ask(
    bot: Bot, answering: Message, user: User, step: str, language: str, error: str = ""
) -> Message:
    lines = [f"{mention(user)} " + text(language, f"new.ask_{step}")]
    if error:
        lines.insert(0, "⚠️ " + html.escape(error, quote=False))
    lines.append(f"<i>{text(language, 'prompt.hint')}</i>")
    placeholder = text(language, f"new.placeholder_{step}")[:MAX_PLACEHOLDER]
    return await bot.send_message(
        answering.chat.id,
        "\n".join(lines),
        parse_mode=ParseMode.HTML,
        reply_to_message_id=answering.message_id,
        allow_sending_without_reply=True,
        reply_markup=ForceReply(selective=True, input_field_placeholder=placeholder),
    )


async def on_reply(service: OrderService, message: Message, language: str) -> bool:
    """A reply to one of the conversation's questions; False when it answers none of them."""
    asked = message.reply_to_message
    user = message.from_user
    if asked is None or user is None:
        return False
    dialogue = await dialogue_at(service, message.chat.id, asked.message_id)
    if dialogue is None or dialogue.step not in REPLY_STEPS:
        return False
    if await staff_member(service, user.id) is None:
        await message.reply_text(text(language, "alert.not_staff"))
        return True
    bot = message.get_bot()
    data = dict(dialogue.data)
    typed = (message.text or "").strip()
    try:
        step = await _take(service, dialogue.step, typed, data)
    except BadReply as bad:
        error = text(language, bad.key, **bad.values)
        sent = await _ask(bot, message, user, dialogue.step, language, error)
        await move_dialogue(
            service, dialogue.id, message_id=sent.message_id, step=dialogue.step, data=data
        )
        return True
    if step == "buyer":
        sent = await message.reply_text(
            _known_text(data, language),
            parse_mode=ParseMode.HTML,
            reply_markup=_keyboard(dialogue.id, ("keep", "change"), language),
        )
    elif step == "summary":
        sent = await message.reply_text(
            _summary(data, {item.sku: item for item in await service.items()}, language),
            parse_mode=ParseMode.HTML,
            reply_markup=_keyboard(dialogue.id, ("create", "cancel"), language),
        )
    else:
        sent = await _ask(bot, message, user, step, language)
    await move_dialogue(service, dialogue.id, message_id=sent.message_id, step=step, data=data)
    return True


async def _take(service: OrderService, step: str, typed: str, data: dict[str, Any]) -> str:
    """Read the answer to `step` into `data`; the next step. Raises `BadReply`."""
    if not typed:
        raise BadReply("reply.empty")
    skipped = typed.casefold() in SKIP
    if step == "phone":
        if skipped:
            data["phone"] = ""
            return "name"
        phone = normalize_phone(typed)
        if phone is None:
            raise BadReply("reply.bad_phone", {"typed": " ".join(typed.split())[:40]})
        data["phone"] = phone
        known = await _known(service, phone)
        if known is None or not known.name:
            return "name"
        data["known"] = _details(known)
        return "buyer"
    if step == "name":
        name = " ".join(typed.split())
        if len(name) > TEXT_LIMITS["buyer_name"]:
            raise BadReply("reply.too_long", {"limit": str(TEXT_LIMITS["buyer_name"])})
        data["name"] = "" if skipped else name
        return "address"
    if step == "address":
        if not skipped:
            changes = read_reply("address", typed, CodeTable.build({}))
            data.update({part: getattr(changes, part) or "" for part in ADDRESS_PARTS})
        return "items"
    lines = read_items(typed, await catalog_codes(service))
    data["lines"] = [
        {"sku": line.sku, "code": line.code, "quantity": line.quantity, "variant": line.variant}
        for line in lines
    ]
    return "summary"


async def _known(service: OrderService, phone: str) -> CustomerRecord | None:
    for record in await customers.search(service, phone):
        if record.phone == phone:
            return record
    return None


def _details(record: CustomerRecord) -> dict[str, str]:
    return {
        "name": record.name,
        "street": record.address,
        "ward": record.ward,
        "district": record.district,
        "province": record.province,
    }


def _address(data: dict[str, Any]) -> str:
    return ", ".join(str(data[part]) for part in ADDRESS_PARTS if data.get(part))


def _known_text(data: dict[str, Any], language: str) -> str:
    known = data.get("known") or {}
    return text(
        language,
        "new.known",
        name=escaped(known.get("name", ""), VALUE_CAP),
        phone=escaped(data.get("phone", ""), VALUE_CAP),
        address=escaped(_address(known), VALUE_CAP) or text(language, "new.no_address"),
    )


def _summary(data: dict[str, Any], items: dict[str, ItemView], language: str) -> str:
    rows = []
    subtotal = 0
    for line in data.get("lines", []):
        item = items.get(str(line.get("sku")))
        price = item.price if item else 0
        quantity = int(line.get("quantity", 1))
        subtotal += price * quantity
        name = escaped(item.name if item else line.get("code", ""), VALUE_CAP)
        variant = f" ({escaped(line['variant'], 40)})" if line.get("variant") else ""
        code = escaped(line.get("code", ""), 20)
        rows.append(
            f"• <code>{code}</code> {name}{variant} × {quantity} = {format_vnd(price * quantity)}"
        )
    return text(
        language,
        "new.summary",
        name=escaped(data.get("name", ""), VALUE_CAP) or text(language, "card.missing"),
        phone=escaped(data.get("phone", ""), VALUE_CAP) or text(language, "card.missing"),
        address=escaped(_address(data), VALUE_CAP) or text(language, "new.no_address"),
        lines="\n".join(rows),
        total=format_vnd(subtotal),
    )


def _keyboard(dialogue_id: int, choices: tuple[str, ...], language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(text(language, f"new.{c}"), cb.NewOrderTap(dialogue_id, c)) for c in choices]]
    )


def _new_order(data: dict[str, Any], actor: Actor) -> NewOrder:
    buyer = Buyer(
        name=str(data.get("name", "")),
        phone=str(data.get("phone", "")),
        street=str(data.get("street", "")),
        ward=str(data.get("ward", "")),
        district=str(data.get("district", "")),
        province=str(data.get("province", "")),
    )
    lines = [
        LineInput(
            quantity=min(int(line["quantity"]), MAX_QUANTITY),
            sku=str(line["sku"]),
            code=str(line.get("code") or "") or None,
            variant=str(line.get("variant") or ""),
        )
        for line in data.get("lines", [])
    ]
    return NewOrder(buyer=buyer, lines=lines, source="manual", staff_id=actor.staff_id)


async def tap(context: Tap, pressed: cb.NewOrderTap) -> Answer:
    """Keep or change a known buyer's details; create the draft, or cancel."""
    language = context.language
    dialogue = await dialogue_by_id(context.service, pressed.dialogue_id)
    wanted = "buyer" if pressed.choice in ("keep", "change") else "summary"
    if dialogue is None or dialogue.step != wanted:
        return Answer(cut(text(language, "new.gone")), alert=True, after=lambda: _drop(context))
    if pressed.choice == "cancel":
        await end_dialogue(context.service, dialogue.id)
        return Answer(cut(text(language, "new.cancelled")), delete=True)
    if pressed.choice == "create":
        return await _create(context, dialogue)
    data = dict(dialogue.data)
    known = data.pop("known", {})
    step = "items" if pressed.choice == "keep" else "name"
    if pressed.choice == "keep":
        data.update(known)

    async def next_question() -> None:
        await _drop(context)
        message = context.query.message
        assert isinstance(message, Message)
        sent = await _ask(message.get_bot(), message, context.query.from_user, step, language)
        await move_dialogue(
            context.service, dialogue.id, message_id=sent.message_id, step=step, data=data
        )

    return Answer(after=next_question)


async def _drop(context: Tap) -> None:
    """The tapped message keeps its words and loses its buttons: they are done with."""
    try:
        await context.query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as error:  # gone, or already without buttons
        log.info("new order: cannot drop the buttons (%s)", error)


async def _create(context: Tap, dialogue: Dialogue) -> Answer:
    language = context.language
    if not await end_dialogue(context.service, dialogue.id):  # a second tap, or another process
        return Answer(cut(text(language, "new.gone")), alert=True)
    try:
        order = await context.service.create_draft(
            _new_order(dialogue.data, context.actor), context.actor
        )
    except errors.OrderError as refused:
        return Answer(cut(describe(refused, language)), alert=True, after=lambda: _drop(context))
    done = text(language, "new.created", code=order.code or order.id)
    return Answer(cut(done), after=lambda: _drop(context))
