"""`/orders` pages in the chat: one message listing a tab's orders, redrawn in place as staff
tap its tabs and paging buttons.

A page is read in one reading session, so the list, the tab counts and the paging cursors
describe the same moment. The page's filters (staff, live session) travel in every button's
data (`callbacks.ListPage`) as row ids and are looked up again on each tap: a filter whose row
has gone since (a staff member removed) says so instead of quietly listing everything.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from application.reads import order_list_by_ids
from application.services import OrderService
from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.cards import escaped
from bot.keyboards import orders_keyboard
from bot.strings import strings, text
from orders import browse, queries
from orders.views import OrderRow
from render.formats import format_vnd

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 10  # ten rows read at a glance on a phone; the keyboard holds them in 5 rows


class FilterGone(LookupError):
    """A list button names a staff member or live session that no longer exists."""


@dataclass(frozen=True)
class Shown:
    """One page as read: its orders, the counts per status, the neighbouring cursors, and the
    names of its filters."""

    page: cb.ListPage
    orders: Sequence[OrderRow]
    counts: Mapping[str, int]
    previous: int | None
    next_before: int | None
    staff_name: str | None = None
    live_title: str | None = None


async def read_page(service: OrderService, page: cb.ListPage) -> Shown:
    filters = queries.OrderFilter(
        status=None if page.tab == cb.ALL_TAB else page.tab,
        limit=PAGE_SIZE,
        cursor=page.before or None,
    )
    named = await order_list_by_ids(service, filters, staff_id=page.staff, live_id=page.live)
    if named is None:
        raise FilterGone(page)
    found = named.found
    previous = found.previous_cursor
    if not found.orders and page.before:
        previous = browse.NEWEST  # past the end (orders moved to another tab): the first page
    return Shown(
        page,
        found.orders,
        found.counts,
        previous,
        found.next_cursor,
        staff_name=named.staff_name,
        live_title=named.live_title,
    )


def _row(order: OrderRow, s: Mapping[str, str]) -> str:
    code = escaped(order.code, 20) or f"#{order.id}"
    buyer = escaped(order.customer.name, 40) or s["card.missing"]
    status = s.get(f"status.{order.status}") or escaped(order.status, 30)
    return f"• <b>{code}</b> · {buyer} · {format_vnd(order.total)} · {status}"


def page_text(shown: Shown, language: str) -> str:
    """The list message: title with the tab and its count, the filters, one row per order.
    Every value is escaped and capped, so ten rows stay far within 4096 characters."""
    s = strings(language)
    tab = shown.page.tab
    name = s["tab.all"] if tab == cb.ALL_TAB else s[f"status.{tab}"]
    count = sum(shown.counts.values()) if tab == cb.ALL_TAB else shown.counts.get(tab, 0)
    rows = [f"📋 <b>{s['list.title']} · {name}</b> ({count})"]
    if shown.staff_name is not None:
        rows.append("🧑‍💼 " + s["list.of_staff"].format(name=escaped(shown.staff_name, 100)))
    if shown.live_title is not None:
        rows.append("📺 " + s["list.of_live"].format(title=escaped(shown.live_title, 150)))
    rows.append("")
    rows += [_row(order, s) for order in shown.orders] or [f"<i>{s['list.empty']}</i>"]
    return "\n".join(rows)


def page_keyboard(shown: Shown, language: str) -> InlineKeyboardMarkup:
    listed = [
        (order.id, " · ".join(part for part in (order.label, order.customer.name) if part))
        for order in shown.orders
    ]
    return orders_keyboard(
        shown.page,
        listed,
        counts=shown.counts,
        previous=shown.previous,
        next_before=shown.next_before,
        language=language,
    )


async def render(
    service: OrderService, page: cb.ListPage, language: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The page's message text (Telegram HTML) and keyboard; raises FilterGone."""
    shown = await read_page(service, page)
    return page_text(shown, language), page_keyboard(shown, language)


async def list_page(tap: Tap, page: cb.ListPage) -> Answer:
    """Another tab or page of `/orders`, drawn in place of the list message."""
    try:
        body, markup = await render(tap.service, page, tap.language)
    except FilterGone:
        return Answer(cut(text(tap.language, "list.gone")), alert=True)

    async def redraw() -> None:
        try:
            await tap.query.edit_message_text(body, parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as error:  # the same page tapped again: nothing to change
            if "not modified" not in str(error).lower():
                raise
            log.debug("telegram list: page %r unchanged", page)

    return Answer(after=redraw)
