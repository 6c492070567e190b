"""Inline keyboards as pure functions of what they show: the same order gives the same buttons.

A card's keyboard offers exactly the actions `orders.lifecycle` allows in the order's status,
each button carrying the order id and the version it was drawn for, so a tap on an old card is
recognised as stale instead of acting on an order that has moved on. Rows hold at most three
buttons, short enough to read on a phone in a busy group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.cards import clean
from bot.strings import strings
from orders.lifecycle import PRINT_ACTIONS, Action, Status, allowed_actions
from orders.payments import METHODS
from orders.views import OrderRow
from render.formats import format_vnd
from render.strings import carrier_name

ROW: Final = 3
MAX_BUTTONS: Final = 100  # Telegram's limit for one keyboard
MAX_LABEL: Final = 40
RECENT_SHOWN: Final = 10  # recent individual shippers offered in the ship menu
LISTED: Final = 50  # orders one /orders page can show as buttons
# save_draft keeps a draft as it is: in the chat every edit is already saved, so no button.
NOT_BUTTONS: Final = frozenset({Action.SAVE_DRAFT})


class QuoteLike(Protocol):
    """What the ship menu needs of a quote (`carriers.base.Quote` fits)."""

    @property
    def carrier(self) -> str: ...

    @property
    def fee(self) -> int: ...


def label(text: object) -> str:
    """A button's text: clean, on one line, short enough not to be cut by the client."""
    value = clean(text)
    return value if len(value) <= MAX_LABEL else value[: MAX_LABEL - 1].rstrip() + "…"


def button(text: object, callback: cb.Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(label(text), callback_data=cb.encode(callback))


def rows(
    buttons: Iterable[InlineKeyboardButton], width: int = ROW
) -> list[list[InlineKeyboardButton]]:
    """Buttons in rows of `width`, in the order given."""
    items = list(buttons)
    return [items[i : i + width] for i in range(0, len(items), width)]


def _markup(layout: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    total = sum(len(row) for row in layout)
    if total > MAX_BUTTONS:
        raise ValueError(f"{total} buttons; Telegram takes at most {MAX_BUTTONS}")
    return InlineKeyboardMarkup([list(row) for row in layout if row])


def card_actions(status: Status | str) -> list[Action]:
    """The actions a card offers in `status`: the lifecycle's, less those that are no button."""
    return [action for action in allowed_actions(Status(status)) if action not in NOT_BUTTONS]


def _card_callback(action: Action, order_id: int, version: int) -> cb.Callback:
    if action is Action.SHIP:
        return cb.ShipMenu(order_id, version)
    if action is Action.EDIT:
        return cb.EditMenu(order_id, version)
    return cb.ActionTap(order_id, version, action)


def card_keyboard(order: OrderRow, *, language: str = "vi") -> InlineKeyboardMarkup:
    """The card's buttons for `order` (by its id, version and status): state-changing
    actions first, then the two print buttons on a row of their own."""
    s = strings(language)
    order_id, version = order.id, order.version
    actions = card_actions(order.status)

    def make(action: Action) -> InlineKeyboardButton:
        return button(s[f"action.{action.value}"], _card_callback(action, order_id, version))

    main = [make(a) for a in actions if a not in PRINT_ACTIONS]
    prints = [make(a) for a in actions if a in PRINT_ACTIONS]
    return _markup([*rows(main), *rows(prints)])


def ship_keyboard(
    order_id: int,
    version: int,
    quotes: Sequence[QuoteLike],
    recent_shippers: Sequence[tuple[str, str]] = (),
    *,
    unquoted: Sequence[str] = (),
    language: str = "vi",
) -> InlineKeyboardMarkup:
    """The ship menu: each quoted carrier with its fee, cheapest first (ties keep the given
    order), then the carriers without a price (`unquoted`: not asked yet, or they failed to
    answer), then "individual shipper" (asks name and phone), then the recent individual
    shippers (name, phone), each button carrying the phone, then back."""
    s = strings(language)
    layout = []
    for quote in sorted(quotes, key=lambda q: q.fee):
        text = f"{carrier_name(quote.carrier)} · {format_vnd(quote.fee)}"
        layout.append([button(text, cb.ShipPick(order_id, version, quote.carrier))])
    for carrier in unquoted:
        text = f"{carrier_name(carrier)} · {s['ship.no_quote']}"
        layout.append([button(text, cb.ShipPick(order_id, version, carrier))])
    layout.append([button(s["ship.ask_individual"], cb.ShipPick(order_id, version, cb.INDIVIDUAL))])
    for name, phone in recent_shippers[:RECENT_SHOWN]:
        text = " · ".join(part for part in (clean(name), clean(phone)) if part)
        try:
            pick = cb.ShipPick(order_id, version, cb.INDIVIDUAL, recent=phone)
        except cb.BadCallback:  # a phone stored before phones were checked: type it again
            continue
        layout.append([button(f"🛵 {text}", pick)])
    layout.append([button(s["menu.back"], cb.Back(order_id, version))])
    return _markup(layout)


def edit_keyboard(
    order_id: int,
    version: int,
    unknown_lines: Sequence[tuple[int, str]] = (),
    *,
    language: str = "vi",
    miniapp_url: str | None = None,
    flagged: bool | None = None,
    review_lines: Sequence[tuple[int, str, str]] = (),
) -> InlineKeyboardMarkup:
    """The edit menu: first a button per line whose code nobody knew (line id, code as typed)
    to pick the right code, then one button per field staff can change in the chat, then (with
    `miniapp_url`, the setting `TELEGRAM_MINIAPP_URL`) one opening the order's edit page in the
    Mini App, then back. That one is a URL button to the app's direct link: groups refuse
    web_app buttons (BUTTON_TYPE_INVALID), and the link's `startapp` comes back signed in the
    init data, so the page knows which order was meant. `review_lines` (line id, code, why it
    needs checking) each get a button accepting the line as read."""
    s = strings(language)
    fixes = [
        button(s["menu.fix_line"].format(code=clean(code) or "?"), cb.FixMenu(order_id, version, i))
        for i, code in unknown_lines[:RECENT_SHOWN]
    ]
    accepts = [
        button(
            s["menu.accept_line"].format(code=clean(code) or "?", why=clean(why)[:40]),
            cb.AcceptLine(order_id, version, i),
        )
        for i, code, why in review_lines[:RECENT_SHOWN]
    ]
    fields = [button(s[f"field.{f}"], cb.EditPick(order_id, version, f)) for f in cb.EDIT_FIELDS]
    money = [
        button(s["menu.payment"], cb.PayMenu(order_id, version)),
        button(s["menu.record_payment"], cb.PaidAsk(order_id, version)),
    ]
    app = [[miniapp_button(miniapp_url, order_id, language)]] if miniapp_url else []
    flag = [[flag_button(order_id, version, flagged, language)]] if flagged is not None else []
    back = [button(s["menu.back"], cb.Back(order_id, version))]
    layout = [*rows(fixes, 2), *rows(accepts, 1), *rows(fields), money, *app, *flag, back]
    return _markup(layout)


def payment_keyboard(
    order_id: int, version: int, method: str, *, language: str = "vi"
) -> InlineKeyboardMarkup:
    """The three ways to pay, the order's own marked; back returns to the edit menu."""
    s = strings(language)
    choices = []
    for choice in METHODS:
        text = s[f"pay.{choice}"]
        choices.append(
            button(f"• {text}" if choice == method else text, cb.PayPick(order_id, version, choice))
        )
    back = [button(s["menu.back"], cb.EditMenu(order_id, version))]
    return _markup([*rows(choices), back])


def flag_button(order_id: int, version: int, flagged: bool, language: str) -> InlineKeyboardButton:
    """Flag the buyer (asks the reason), or remove the flag they have."""
    s = strings(language)
    if flagged:
        return button(s["menu.unflag"], cb.Unflag(order_id, version))
    return button(s["menu.flag"], cb.FlagAsk(order_id, version))


def risky_keyboard(
    approve: cb.Approve, *, language: str = "vi", no: cb.Callback | None = None
) -> InlineKeyboardMarkup:
    """Yes / No under "the buyer is flagged: go on?" or "the money has not come in: ship
    anyway?"; No draws the card's keyboard again (or does `no`: on a question of its own,
    close it)."""
    s = strings(language)
    action = s[f"action.{approve.action}"].lower()
    yes = button(s["risky.yes"].format(action=action), approve)
    back = no if no is not None else cb.Back(approve.order_id, approve.version)
    return _markup([[yes, button(s["risky.no"], back)]])


def miniapp_button(miniapp_url: str, order_id: int, language: str = "vi") -> InlineKeyboardButton:
    """`{miniapp_url}?startapp=order_{id}` (or `&startapp=` when the link has a query already,
    e.g. `?mode=compact`)."""
    joiner = "&" if "?" in miniapp_url else "?"
    url = f"{miniapp_url}{joiner}startapp=order_{order_id}"
    return InlineKeyboardButton(strings(language)["web.miniapp_button"], url=url)


def fix_code_keyboard(
    order_id: int,
    version: int,
    line_id: int,
    codes: Sequence[tuple[str, str]],
    *,
    language: str = "vi",
) -> InlineKeyboardMarkup:
    """The session's codes (code, item name) to give a line whose code was unknown. Codes that
    cannot travel in a button (see `callbacks.FixCode`) are left out, as are those past what one
    keyboard holds; staff can still retype the items."""
    s = strings(language)
    picks = []
    for code, name in codes:
        try:
            pick = cb.FixCode(order_id, version, line_id, code)
        except cb.BadCallback:
            continue
        text = f"{code} · {clean(name)}" if clean(name) else code
        picks.append(button(text, pick))
        if len(picks) == MAX_BUTTONS - 1:
            break
    return _markup([*rows(picks, 2), [button(s["menu.back"], cb.Back(order_id, version))]])


def orders_keyboard(
    page: cb.ListPage,
    orders: Sequence[tuple[int, str]],
    *,
    counts: Mapping[str, int],
    previous: int | None,
    next_before: int | None,
    language: str = "vi",
) -> InlineKeyboardMarkup:
    """/orders: the tab bar with each tab's count (the current tab marked), a button per
    listed order (id, label) to open its card, then previous / next pages and close.

    `counts` are orders per status under the page's filters (`all` is their sum); `previous`
    and `next_before` are the cursors of the neighbouring pages (`ListPage.before`), None when
    there is none. Every tab and paging button keeps the page's staff and live filters."""
    s = strings(language)
    total = sum(counts.get(name, 0) for name in cb.TABS if name != cb.ALL_TAB)

    def tab_name(name: str) -> str:
        text = s["tab.all"] if name == cb.ALL_TAB else s[f"status.{name}"]
        count = total if name == cb.ALL_TAB else counts.get(name, 0)
        text = f"{text} ({count})"
        return f"• {text}" if name == page.tab else text

    tabs = [button(tab_name(name), page.to(tab=name)) for name in cb.TABS]
    listed = [button(text, cb.OpenCard(order_id)) for order_id, text in orders[:LISTED]]
    paging = []
    if previous is not None:
        paging.append(button(s["list.previous"], page.to(before=previous)))
    if next_before is not None:
        paging.append(button(s["list.next"], page.to(before=next_before)))
    paging.append(button(s["menu.close"], cb.Close()))
    return _markup([*rows(tabs), *rows(listed, 2), paging])


def digest_keyboard(orders: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """Under a digest of new drafts: one button per draft (id, label) opening its card. At most
    100 (Telegram's limit): the notifier splits longer digests."""
    return _markup(rows(button(text, cb.OpenCard(order_id)) for order_id, text in orders))
