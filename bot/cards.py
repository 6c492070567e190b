"""An order's card in the staff group: Telegram HTML text as a pure function of its view.

The card is what staff read before they tap, so it shows what they must check (unknown codes,
waitlisted lines, missing buyer details, a buyer who refused parcels before, what the carrier
said) and it is always sendable: every value is NFC-normalised and HTML-escaped, and the text
stays within Telegram's 4096 characters however long the names or how many the lines, by
capping each value and cutting the list of lines with "… and N more lines".
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from application.wording.labels import payment_label
from application.wording.messenger import confirmation_label
from application.wording.reviews import review_text
from bot.strings import strings
from orders.views import LineView, OrderRow, risky_count
from render.formats import format_local_datetime, format_vnd
from render.strings import carrier_name

MAX_TEXT: Final = 4096
ELLIPSIS: Final = "…"

# Most escaped characters (UTF-16 units) each value may take on a card. Together with the
# labels they keep everything but the lines under ~2,800, so some lines always fit.
CAPS: Final[Mapping[str, int]] = {
    "code": 40,
    "name": 150,
    "phone": 40,
    "street": 300,
    "area": 80,
    "note": 500,
    "title": 150,
    "person": 100,
    "tracking": 80,
    "carrier_status": 80,
    "refusal": 300,
    "line_name": 150,
    "variant": 80,
}


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units: an emoji is two."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(value: object) -> str:
    """NFC (so a name typed in decomposed form matches and displays as one letter per glyph),
    control characters and line breaks as spaces, lone surrogates dropped, ends trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            continue
        out.append(" " if category in {"Cc", "Zl", "Zp"} else char)
    return "".join(out).strip()


def escaped(value: object, cap: int) -> str:
    """`value` cleaned and HTML-escaped, cut (before escaping, so no entity is split) to at most
    `cap` UTF-16 units with an ellipsis when it was longer."""
    text = clean(value)
    whole = html.escape(text, quote=False)
    if utf16_length(whole) <= cap:
        return whole
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = html.escape(char, quote=False)
        size = utf16_length(piece)
        if used + size > cap - 1:
            break
        pieces.append(piece)
        used += size
    return "".join(pieces).rstrip() + ELLIPSIS


def _moment(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _money(value: int | None) -> str:
    return format_vnd(int(value or 0))


def _buyer(order: OrderRow, s: Mapping[str, str], risky: int) -> list[str]:
    customer = order.customer
    missing = f"<i>{s['card.missing']}</i>"
    name = escaped(customer.name, CAPS["name"]) or missing
    phone = escaped(customer.phone, CAPS["phone"])
    parts = [escaped(customer.address, CAPS["street"])]
    areas = (customer.ward, customer.district, customer.province)
    parts += [escaped(area, CAPS["area"]) for area in areas]
    address = ", ".join(part for part in parts if part) or missing
    rows = [
        f"👤 {s['card.buyer']}: <b>{name}</b>" + _prefilled(order, "name", s),
        f"📞 {s['card.phone']}: "
        + (f"<code>{phone}</code>" if phone else missing)
        + _prefilled(order, "phone", s),
        f"📍 {s['card.address']}: {address}" + _prefilled(order, "address", s),
    ]
    if order.address_review:
        rows.append(f"❓ <b>{s['card.address_review']}</b>")
    if customer.flagged:
        reason = escaped(customer.flag_reason, CAPS["refusal"])
        rows.append(f"🚩 <b>{s['card.flagged']}</b>" + (f": {reason}" if reason else ""))
    if risky > 0:
        rows.append(f"⚠️ <b>{s['card.risky'].format(count=risky)}</b>")
    return rows


def _prefilled(order: OrderRow, field: str, s: Mapping[str, str]) -> str:
    """Said beside a value filled from the buyer's earlier orders, not given for this one."""
    return f" <i>({s['card.prefilled']})</i>" if field in order.prefilled else ""


def _line(number: int, line: LineView, s: Mapping[str, str], language: str) -> str:
    code = escaped(line.code, CAPS["code"])
    name = escaped(line.name, CAPS["line_name"])
    variant = escaped(line.variant, CAPS["variant"])
    quantity = line.quantity
    price = line.unit_price
    marks = []
    if not line.sku:
        marks.append(f"❓ <b>{s['card.unknown_code']}</b>")
    if line.waitlisted:
        marks.append(f"⏳ <b>{s['card.waitlisted']}</b>")
    if line.needs_review and line.sku:
        why = review_text(line.review_reason, clean(line.review_value), language)
        marks.append(f"⚠️ {escaped(why, CAPS['variant'])}")
    text = f"{number}. "
    if code:
        text += f"<code>{code}</code> "
    if name:
        text += f"{name} "
    if variant:
        text += f"({variant}) "
    text += f"× {quantity} · {_money(price)} = {_money(quantity * price)}"
    if marks:
        text += " " + " ".join(marks)
    return text


def _totals(order: OrderRow, s: Mapping[str, str], language: str) -> list[str]:
    rows = []
    fee = order.shipping_fee
    if fee or order.discount:
        rows.append(f"{s['card.subtotal']}: {_money(order.subtotal)}")
    if order.discount:
        rows.append(f"🏷 {s['card.discount']}: -{_money(order.discount)}")
    if fee:
        rows.append(f"{s['card.shipping_fee']}: {_money(fee)}")
    rows.append(f"<b>{s['card.total']}: {_money(order.total)}</b>")
    rows += payment_rows(order, language)
    cod, pay = order.cod_amount, order.payment
    if cod or (order.lines and pay.method != "cod" and pay.due > 0):
        # a transfer order not paid yet collects nothing, but is not prepaid either
        rows.append(f"💵 {s['card.cod']}: <b>{_money(cod)}</b>")
    else:  # an empty draft is not prepaid: it has nothing yet
        rows.append(f"💵 {s['card.no_items'] if not order.lines else s['card.prepaid']}")
    return rows


def payment_rows(order: OrderRow, language: str) -> list[str]:
    """How the order is paid and where its money stands: `💳 Chuyển khoản: đã nhận 200.000 đ,
    còn chờ 150.000 đ`, `💳 Đặt cọc 100.000 đ: chưa nhận cọc`, then `✅ Đã nhận đủ tiền` or
    `⚠️ Khách chuyển thừa 20.000 đ`. A plain COD order with nothing paid says nothing: its
    💵 line is all there is to know."""
    pay = order.payment
    if pay.method == "cod" and pay.paid <= 0:
        return []
    s = strings(language)
    said = payment_label(pay.method, language)
    if pay.method == "deposit":
        said += f" {_money(pay.deposit)}"
    parts = []
    if pay.paid > 0:
        parts.append(s["card.paid"].format(amount=_money(pay.paid)))
    elif pay.method == "deposit":
        parts.append(s["card.no_deposit"])
    elif pay.transfer_asked > 0:
        parts.append(s["card.nothing_paid"])
    if pay.transfer_asked > 0 and (pay.paid > 0 or pay.method == "transfer"):
        parts.append(s["card.awaiting"].format(amount=_money(pay.transfer_asked)))
    rows = [f"💳 {html.escape(said, quote=False)}" + (f": {', '.join(parts)}" if parts else "")]
    if pay.overpaid > 0:
        rows.append(f"⚠️ <b>{s['card.overpaid'].format(amount=_money(pay.overpaid))}</b>")
    elif pay.paid > 0 and pay.due == 0:
        rows.append(f"✅ {s['card.paid_in_full']}")
    return rows


def _shipper(order: OrderRow, s: Mapping[str, str]) -> list[str]:
    shipper = order.shipper
    if not shipper or not shipper.kind:
        return []
    kind = clean(shipper.kind)
    if kind == "individual":
        who = [s["carrier.individual"]]
        who += [escaped(shipper.name, CAPS["person"]), escaped(shipper.phone, CAPS["phone"])]
        label = " · ".join(part for part in who if part)
    else:
        label = escaped(carrier_name(kind), CAPS["person"])
    row = f"🚚 {s['card.shipper']}: <b>{label}</b>"
    tracking = escaped(shipper.tracking_code, CAPS["tracking"])
    if tracking:
        row += f" · {s['card.tracking']}: <code>{tracking}</code>"
    rows = [row]
    status = escaped(shipper.carrier_status, CAPS["carrier_status"])
    if status:
        rows.append(f"{s['card.carrier_status']}: {status}")
    state = shipper.state
    if state == "requesting":
        rows.append(f"⏳ {s['card.requesting']}")
    elif state == "cancelling":
        rows.append(f"⏳ {s['card.cancelling']}")
    elif state == "refused":
        note = escaped(shipper.note, CAPS["refusal"])
        rows.append(f"❌ <b>{s['card.refused']}</b>" + (f": {note}" if note else ""))
    if order.manual_override:
        rows.append(f"✋ {s['card.manual_override']}")
    return rows


def _context(
    order: OrderRow,
    s: Mapping[str, str],
    session_title: str | None,
    first_comment_at: datetime | str | None,
) -> list[str]:
    rows = []
    live = []
    title = escaped(session_title, CAPS["title"])
    if title:
        live.append(f"📺 {s['card.live']}: {title}")
    first = _moment(first_comment_at)
    if first is not None:
        live.append(f"{s['card.first_comment']}: {format_local_datetime(first)}")
    if live:
        rows.append(" · ".join(live))
    staff = order.staff.name if order.staff else None
    staff_text = escaped(staff, CAPS["person"]) or f"<i>{s['card.no_staff']}</i>"
    rows.append(f"🧑‍💼 {s['card.staff']}: {staff_text}")
    note = escaped(order.note, CAPS["note"])
    if note:
        rows.append(f"📝 {s['card.note']}: {note}")
    created = _moment(order.created_at)
    if created is not None:
        rows.append(f"🕒 {s['card.created']}: {format_local_datetime(created)}")
    return rows


def rows_that_fit(rows: Sequence[str], room: int) -> list[str]:
    """The first rows that fit in `room` UTF-16 units, each with its line break."""
    kept: list[str] = []
    for row in rows:
        size = utf16_length(row) + 1
        if size > room:
            break
        kept.append(row)
        room -= size
    return kept


def _fit_lines(head: str, rows: Sequence[str], tail: str, s: Mapping[str, str]) -> str:
    """Head, as many lines as fit, then tail; the cut is said, never silent."""
    whole = "\n".join([head, *rows, tail])
    if utf16_length(whole) <= MAX_TEXT:
        return whole
    more = s["card.more_lines"].format(count=len(rows))
    room = MAX_TEXT - utf16_length(head) - utf16_length(tail) - utf16_length(more) - 2
    kept = rows_that_fit(rows, room)
    more = f"<i>{s['card.more_lines'].format(count=len(rows) - len(kept))}</i>"
    return "\n".join([head, *kept, more, tail])


def card_text(
    order: OrderRow,
    *,
    language: str = "vi",
    session_title: str | None = None,
    first_comment_at: datetime | str | None = None,
    risky: int | None = None,
) -> str:
    """The card of `order` (an `orders.views.OrderView`) in Telegram HTML.

    `session_title` and `first_comment_at` say which live and when the buyer first commented;
    `risky` is the buyer's count of failed or returned deliveries (by default read from the
    detail's buyer history, when the caller loaded it)."""
    s = strings(language)
    status = clean(order.status)
    status_name = s.get(f"status.{status}") or escaped(status, CAPS["code"])
    code = escaped(order.code, CAPS["code"]) or f"#{order.id}"
    count = risky_count(order) if risky is None else risky
    head = [f"🧾 <b>{s['card.order']} {code}</b> · <b>{status_name}</b>"]
    head += _buyer(order, s, count)
    confirmation = confirmation_label(order.buyer_confirmation, language)
    if confirmation:
        head.append(f"<b>{html.escape(confirmation, quote=False)}</b>")
    lines = order.lines
    head.append(f"<b>{s['card.lines']}</b> ({len(lines)}):" if lines else s["card.no_lines"])
    rows = [_line(number, line, s, language) for number, line in enumerate(lines, 1)]
    tail = _totals(order, s, language) + _shipper(order, s)
    tail += _context(order, s, session_title, first_comment_at)
    return _fit_lines("\n".join(head), rows, "\n".join(tail), s)


# Drafts one digest lists: with code and name capped, a row is at most ~90 characters, so 40
# rows always fit 4096 (and one keyboard). At 20 messages a minute that is 800 drafts a minute.
MAX_DIGEST: Final = 40


def digest_text(orders: Sequence[OrderRow], *, language: str = "vi") -> str:
    """A message listing new drafts when cards would exceed the group's rate:
    one row each (code, buyer, number of lines, total, a ❓ when a code is unknown), to go
    with `keyboards.digest_keyboard`. The notifier splits longer batches into several."""
    if len(orders) > MAX_DIGEST:
        raise ValueError(f"{len(orders)} drafts; a digest takes at most {MAX_DIGEST}")
    s = strings(language)
    rows = []
    for order in orders:
        code = escaped(order.code, 20) or f"#{order.id}"
        name = escaped(order.customer.name, 24) or s["card.missing"]
        lines = order.lines
        row = f"• <b>{code}</b> · {name} · {len(lines)} · {_money(order.total)}"
        if any(not line.sku for line in lines):
            row += " ❓"
        rows.append(row)
    head = f"🆕 <b>{s['digest.title'].format(count=len(orders))}</b>"
    return _fit_lines(head, rows, "", s).rstrip("\n")
