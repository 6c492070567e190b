"""The card's second keyboards and what their buttons do: ship with a carrier or a shipper,
edit a field, give an unknown code its item.

Each handler gets a `Tap` from `bot.taps` (already answered to be staff) and returns an
`Answer`; anything slow (asking every carrier for a price, posting a prompt) goes in the
answer's `after`, so the button stops spinning first.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Final

from telegram.error import BadRequest

from application import customers, quotes
from application.line_review import accept_line
from application.lookups import item_names, recent_shippers
from application.order_codes import codes_for
from application.typed_values import SHIPPER, BadReply, read_shipper
from application.wording.reviews import review_text
from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.approvals import Held, question
from bot.keyboards import (
    card_keyboard,
    edit_keyboard,
    fix_code_keyboard,
    payment_keyboard,
    risky_keyboard,
    ship_keyboard,
)
from bot.prompts import DEPOSIT, FLAG, RECEIVED, Question, ask
from bot.strings import text
from orders import errors
from orders.changes import LineInput, OrderChanges
from orders.lifecycle import Action
from orders.payments import PaymentMethod
from orders.review import acceptable, kept
from orders.transitions import ShipWith
from orders.views import OrderRow, OrderView
from render.strings import carrier_name

log = logging.getLogger(__name__)

QUOTE_WAIT_S: Final = 8.0  # past this the menu keeps "no quote" beside the slow carrier
RECENT: Final = 10
SHIPPERS_KNOWN: Final = 1000  # a shipper offered in a menu may have dropped off the ten since


def review_lines(order: OrderRow, language: str) -> list[tuple[int, str, str]]:
    """(line id, code, why) of the lines staff can accept as read."""
    return [
        (line.id, line.code or "", review_text(line.review_reason, line.review_value, language))
        for line in order.lines
        if acceptable(line)
    ]


def unknown_lines(order: OrderRow) -> list[tuple[int, str]]:
    """(line id, code as typed) of the lines no item was found for."""
    return [(line.id, line.code or "") for line in order.lines if line.sku is None]


def fixed_lines(order: OrderRow, line_id: int, code: str, sku: str) -> list[LineInput]:
    """The order's lines as they are, but line `line_id` now `code` (item `sku`), priced from
    the catalog; the others keep their prices, so fixing one line reprices nothing else."""
    lines = []
    for line in order.lines:
        if line.id == line_id:
            lines.append(
                LineInput(
                    sku=sku,
                    code=code,
                    quantity=line.quantity,
                    variant=line.variant or "",
                    waitlisted=line.waitlisted,
                    comment_id=line.comment_id,
                )
            )
        else:
            lines.append(kept(line))
    return lines


async def current(tap: Tap, order_id: int, version: int) -> OrderView | None:
    """The order, or None when the button was drawn for another version."""
    order = await tap.service.detail(order_id)
    return order if order.version == version else None


def stale(tap: Tap, order_id: int) -> Answer:
    return Answer(cut(text(tap.language, "alert.stale")), alert=True, redraw=order_id)


def asking(tap: Tap) -> Question:
    message = tap.query.message
    assert message is not None
    return Question(message.chat.id, message.message_id, tap.query.from_user)


async def edit_menu(tap: Tap, menu: cb.EditMenu) -> Answer:
    order = await current(tap, menu.order_id, menu.version)
    if order is None:
        return stale(tap, menu.order_id)
    keyboard = edit_keyboard(
        menu.order_id,
        menu.version,
        unknown_lines(order),
        language=tap.language,
        miniapp_url=tap.settings.telegram_miniapp_url,
        flagged=order.customer.flagged if order.customer.id else None,
        review_lines=review_lines(order, tap.language),
    )
    return Answer(menu=keyboard)


async def edit_pick(tap: Tap, pick: cb.EditPick) -> Answer:
    """Ask for the field's new value; the card gets its own buttons back meanwhile."""
    order = await current(tap, pick.order_id, pick.version)
    if order is None:
        return stale(tap, pick.order_id)
    if Action.EDIT.value not in order.allowed_actions:
        return Answer(cut(text(tap.language, "alert.not_editable")), alert=True)
    return Answer(
        menu=card_keyboard(order, language=tap.language),
        after=lambda: _ask(tap, order, pick.field),
    )


async def _ask(tap: Tap, order: OrderView, field: str) -> None:
    await ask(tap.query.get_bot(), tap.service, asking(tap), order, field, language=tap.language)


async def fix_menu(tap: Tap, menu: cb.FixMenu) -> Answer:
    order = await current(tap, menu.order_id, menu.version)
    if order is None:
        return stale(tap, menu.order_id)
    table = await codes_for(tap.service, order)
    names = await item_names(tap.service, table.codes.values())
    codes = [(code, names.get(sku, "")) for code, sku in sorted(table.codes.items())]
    keyboard = fix_code_keyboard(
        menu.order_id, menu.version, menu.line_id, codes, language=tap.language
    )
    return Answer(menu=keyboard)


async def fix_code(tap: Tap, fix: cb.FixCode) -> Answer:
    order = await current(tap, fix.order_id, fix.version)
    if order is None:
        return stale(tap, fix.order_id)
    table = await codes_for(tap.service, order)
    sku = table.codes.get(fix.code)
    if sku is None or fix.line_id not in {i for i, _ in unknown_lines(order)}:
        return Answer(cut(text(tap.language, "alert.bad_button")), alert=True, redraw=fix.order_id)
    changes = OrderChanges(lines=fixed_lines(order, fix.line_id, fix.code, sku))
    done = await tap.service.act(
        fix.order_id, Action.EDIT, actor=tap.actor, version=fix.version, changes=changes
    )
    code = done.code or done.id
    return Answer(cut(text(tap.language, "done.fix", code=code, line=fix.code)))


async def accept(tap: Tap, tapped: cb.AcceptLine) -> Answer:
    """Accept a marked line as read: an edit of the order's lines, in its history."""
    order = await current(tap, tapped.order_id, tapped.version)
    if order is None:
        return stale(tap, tapped.order_id)
    line = next((line for line in order.lines if line.id == tapped.line_id), None)
    done = await accept_line(
        tap.service, tapped.order_id, tapped.line_id, actor=tap.actor, version=tapped.version
    )
    if done is None or line is None:
        return Answer(
            cut(text(tap.language, "alert.bad_button")), alert=True, redraw=tapped.order_id
        )
    said = text(tap.language, "done.accept_line", code=done.code or done.id, line=line.code)
    return Answer(cut(said))


async def ship_menu(tap: Tap, menu: cb.ShipMenu) -> Answer:
    """The carriers at once without prices, then, once the tap is answered, with each one's
    quote, cheapest first: quoting takes as long as the slowest carrier."""
    order = await current(tap, menu.order_id, menu.version)
    if order is None:
        return stale(tap, menu.order_id)
    carriers = list(tap.deps.shipping)
    recent = await recent_shippers(tap.service, RECENT)
    keyboard = ship_keyboard(
        menu.order_id, menu.version, [], recent, unquoted=carriers, language=tap.language
    )
    after = (lambda: _quoted(tap, menu, recent)) if carriers else None
    return Answer(menu=keyboard, after=after)


async def _quoted(tap: Tap, menu: cb.ShipMenu, recent: list[tuple[str, str]]) -> None:
    shipping = tap.deps.shipping
    order, weights = await tap.service.shippable(menu.order_id)
    try:
        compared = await asyncio.wait_for(
            quotes.compare(shipping, order, weights, tap.deps.printing.shop), QUOTE_WAIT_S
        )
    except TimeoutError:
        log.info("ship menu for order %s: quotes took over %.0f s", menu.order_id, QUOTE_WAIT_S)
        return
    for name, error in compared.errors.items():
        log.info("ship menu for order %s: no quote from %s (%s)", menu.order_id, name, error)
    quoted = {quote.carrier for quote in compared.quotes}
    keyboard = ship_keyboard(
        menu.order_id,
        menu.version,
        compared.quotes,
        recent,
        unquoted=[name for name in shipping if name not in quoted],
        language=tap.language,
    )
    try:
        await tap.query.edit_message_reply_markup(reply_markup=keyboard)
    except BadRequest as error:  # the menu was closed or left meanwhile
        log.info("ship menu for order %s: cannot show the quotes (%s)", menu.order_id, error)


async def ship_pick(tap: Tap, pick: cb.ShipPick) -> Answer:
    if pick.carrier != cb.INDIVIDUAL:
        if pick.carrier not in tap.deps.shipping:
            return Answer(cut(text(tap.language, "alert.bad_button")), alert=True)
        return await _ship(tap, pick, ShipWith(pick.carrier), carrier_name(pick.carrier))
    if pick.recent is None:
        order = await current(tap, pick.order_id, pick.version)
        if order is None:
            return stale(tap, pick.order_id)
        return Answer(
            menu=card_keyboard(order, language=tap.language),
            after=lambda: _ask(tap, order, SHIPPER),
        )
    name = dict(
        (phone, name) for name, phone in await recent_shippers(tap.service, SHIPPERS_KNOWN)
    ).get(pick.recent)
    if name is None:
        return Answer(cut(text(tap.language, "alert.bad_button")), alert=True)
    return await _ship(tap, pick, ShipWith(cb.INDIVIDUAL, name=name, phone=pick.recent), name)


async def _ship(
    tap: Tap,
    pick: cb.ShipPick,
    ship_with: ShipWith,
    who: str,
    *,
    risky: bool = False,
    unpaid: bool = False,
    no: cb.Callback | None = None,
) -> Answer:
    """Ship; a refusal that a person may overrule (a flagged buyer, money not in yet) is asked
    as Yes / No, and Yes comes back here with that approval and any given before, so a flagged
    buyer who has not paid is asked twice, in turn."""
    try:
        order = await tap.service.act(
            pick.order_id,
            Action.SHIP,
            actor=tap.actor,
            version=pick.version,
            ship_with=ship_with,
            approve_risky=risky,
            approve_unpaid=unpaid,
        )
    except (errors.RiskyBuyer, errors.AwaitingPayment) as held:
        approve = approval(pick, held, risky=risky, unpaid=unpaid)
        return ask_approval(tap, held, approve, no=no)
    code = order.code or order.id
    return Answer(cut(text(tap.language, "done.ship", code=code, carrier=who)))


def approval(pick: cb.ShipPick, held: Held, *, risky: bool, unpaid: bool) -> cb.Approve:
    """The Yes button for `held`: what was approved already, and now this too."""
    risky = risky or isinstance(held, errors.RiskyBuyer)
    unpaid = unpaid or isinstance(held, errors.AwaitingPayment)
    return cb.Approve(
        pick.order_id, pick.version, "ship", pick.carrier, pick.recent, risky=risky, unpaid=unpaid
    )


def ask_approval(
    tap: Tap, held: Held, approve: cb.Approve, *, no: cb.Callback | None = None
) -> Answer:
    """ "The buyer is flagged: go on?" or "the money has not come in: ship anyway?" as an
    alert, and Yes / No in place of the message's buttons; Yes repeats the action with the
    approval, No draws the card's buttons again (or does `no`)."""
    said = question(held, approve.action, tap.language)
    keyboard = risky_keyboard(approve, language=tap.language, no=no)
    return Answer(cut(said), alert=True, menu=keyboard)


async def approved(tap: Tap, approve: cb.Approve) -> Answer:
    """Yes to a flagged buyer's create or ship, or to shipping before the money came in: the
    action again, approved."""
    if approve.action == Action.CREATE_ORDER.value:
        order = await tap.service.act(
            approve.order_id,
            Action.CREATE_ORDER,
            actor=tap.actor,
            version=approve.version,
            approve_risky=True,
        )
        return Answer(cut(text(tap.language, "done.create_order", code=order.code or order.id)))
    pick = approve.ship_pick

    async def ship(ship_with: ShipWith, who: str, no: cb.Callback | None = None) -> Answer:
        given = {"risky": approve.risky, "unpaid": approve.unpaid}
        return await _ship(tap, pick, ship_with, who, no=no, **given)

    if pick.carrier != cb.INDIVIDUAL:
        if pick.carrier not in tap.deps.shipping:
            return Answer(cut(text(tap.language, "alert.bad_button")), alert=True)
        return await ship(ShipWith(pick.carrier), carrier_name(pick.carrier))
    typed = typed_shipper(tap, pick.recent or "")
    if typed is not None:  # the question answered a shipper typed in reply to a prompt
        try:
            done = await ship(typed, typed.name or "", no=cb.Close())
        except errors.StaleVersion:  # the question goes: redrawn, it would be a second card
            return Answer(cut(text(tap.language, "alert.stale")), alert=True, delete=True)
        return done if done.menu is not None or done.alert else replace(done, delete=True)
    known = await recent_shippers(tap.service, SHIPPERS_KNOWN)
    name = {phone: name for name, phone in known}.get(pick.recent or "")
    if name is None:
        return Answer(cut(text(tap.language, "alert.bad_button")), alert=True)
    return await ship(ShipWith(cb.INDIVIDUAL, name=name, phone=pick.recent or ""), name)


def typed_shipper(tap: Tap, phone: str) -> ShipWith | None:
    """The shipper staff typed, when the tapped question answers their message (`bot.prompts`
    asks "ship anyway?" under it): read again from that message, and only if it names the
    button's phone, so a button never ships with a name it was not drawn for."""
    message = tap.query.message
    replied = getattr(message, "reply_to_message", None)
    if replied is None or not replied.text or not phone:
        return None
    try:
        typed = read_shipper(replied.text)
    except BadReply:
        return None
    return typed if typed.phone == phone else None


async def pay_menu(tap: Tap, menu: cb.PayMenu) -> Answer:
    """COD, transfer, deposit, the order's own marked."""
    order = await current(tap, menu.order_id, menu.version)
    if order is None:
        return stale(tap, menu.order_id)
    keyboard = payment_keyboard(
        menu.order_id, menu.version, order.payment.method, language=tap.language
    )
    return Answer(menu=keyboard)


async def pay_pick(tap: Tap, pick: cb.PayPick) -> Answer:
    """COD or transfer at once (the card is redrawn with the new money lines); a deposit asks
    its amount with a reply prompt."""
    order = await current(tap, pick.order_id, pick.version)
    if order is None:
        return stale(tap, pick.order_id)
    if pick.method == PaymentMethod.DEPOSIT:
        if Action.EDIT.value not in order.allowed_actions:
            return Answer(cut(text(tap.language, "alert.not_editable")), alert=True)
        return Answer(
            menu=card_keyboard(order, language=tap.language),
            after=lambda: _ask(tap, order, DEPOSIT),
        )
    done = await tap.service.act(
        pick.order_id,
        Action.EDIT,
        actor=tap.actor,
        version=pick.version,
        changes=OrderChanges(payment_method=pick.method),
    )
    method = text(tap.language, f"pay.{pick.method}")
    said = text(tap.language, "done.payment", code=done.code or done.id, method=method)
    return Answer(cut(said), redraw=pick.order_id)


async def paid_ask(tap: Tap, paid: cb.PaidAsk) -> Answer:
    """Ask how much came in; the reply records it (`bot.prompts`)."""
    return await _prompt(tap, paid.order_id, paid.version, RECEIVED)


async def flag_ask(tap: Tap, flag: cb.FlagAsk) -> Answer:
    """Ask why the buyer is flagged; the reply flags them (`bot.prompts`)."""
    return await _prompt(tap, flag.order_id, flag.version, FLAG)


async def _prompt(tap: Tap, order_id: int, version: int, kind: str) -> Answer:
    """Put the card's keyboard back and ask for a reply of `kind`, if the card is current."""
    order = await current(tap, order_id, version)
    if order is None:
        return stale(tap, order_id)
    return Answer(
        menu=card_keyboard(order, language=tap.language),
        after=lambda: _ask(tap, order, kind),
    )


async def unflag(tap: Tap, flag: cb.Unflag) -> Answer:
    order = await tap.service.detail(flag.order_id)
    await customers.flag_order_buyer(tap.service, flag.order_id, False, "", tap.actor)
    return Answer(
        cut(text(tap.language, "done.unflag", code=order.code or order.id)),
        redraw=flag.order_id,
    )
