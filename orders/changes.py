"""What staff or an integration may change on an order, and how new lines find their items."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.errors import InvalidInput, Reason
from orders.payments import METHODS, PaymentMethod
from orders.phones import normalize_phone
from orders.review_codes import REVIEW_REASON_LIMIT, REVIEW_VALUE_LIMIT, UNKNOWN_CODE
from orders.tables import Item, Order, OrderLine, Staff

MAX_QUANTITY = 10_000
MAX_MONEY = 10_000_000_000  # 10 billion VND: far above any parcel, far below overflow


@dataclass(frozen=True)
class LineInput:
    quantity: int
    sku: str | None = None
    code: str | None = None
    unit_price: int | None = None
    variant: str = ""
    needs_review: bool = False
    waitlisted: bool = False
    comment_id: str | None = None
    line_id: int | None = None  # the stored line this input keeps as it is, if any
    review_reason: str = ""  # why it needs review (`orders.review`), kept while it does
    review_value: str = ""


@dataclass(frozen=True)
class OrderChanges:
    """Fields left as None are not changed. `cod_follows_total` puts COD back on the total."""

    buyer_name: str | None = None
    buyer_phone: str | None = None
    street: str | None = None
    ward: str | None = None
    district: str | None = None
    province: str | None = None
    facebook_id: str | None = None
    note: str | None = None
    shipping_fee: int | None = None
    discount: int | None = None
    cod_amount: int | None = None
    cod_follows_total: bool = False
    lines: Sequence[LineInput] | None = None
    staff_id: int | None = None
    payment_method: str | None = None  # cod, transfer or deposit (`orders.payments`)
    deposit: int | None = None  # VND asked first, for a deposit order

    def named(self) -> list[str]:
        """The fields this change sets, for the event log."""
        return [
            f.name
            for f in fields(self)
            if getattr(self, f.name) is not None
            and getattr(self, f.name) is not False
            and f.name != "cod_follows_total"
        ] + (["cod_amount"] if self.cod_follows_total else [])


# Longest text each field may hold; the columns in `tables.py` are sized to match.
TEXT_LIMITS = {
    "buyer_name": 255,
    "street": 500,
    "ward": 255,
    "district": 255,
    "province": 255,
    "facebook_id": 64,
    "note": 2000,
    "variant": 255,
    "code": 32,
    "flag_reason": 500,
}


def clean_text(value: str, name: str) -> str:
    """NFC, trimmed, and storable: both databases refuse NUL and lone surrogates with errors of
    their own, and PostgreSQL refuses text longer than its column."""
    text = unicodedata.normalize("NFC", value).strip()
    if "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise InvalidInput(Reason.BAD_CHARACTERS, field=name)
    limit = TEXT_LIMITS[name]
    if len(text) > limit:
        raise InvalidInput(Reason.TOO_LONG, field=name, limit=limit)
    return text


def _money(value: int, name: str) -> int:
    if not 0 <= value <= MAX_MONEY:
        raise InvalidInput(Reason.OUT_OF_RANGE, field=name, low=0, high=MAX_MONEY)
    return value


def check_discount(discount: int, subtotal: int) -> int:
    """A discount is VND off the lines' sum: 0 to the subtotal, both included (free goods, a
    paid shipping fee), never more, so a total can never fall below the shipping fee."""
    _money(discount, "discount")
    if discount > subtotal:
        raise InvalidInput(
            Reason.DISCOUNT_TOO_LARGE, field="discount", discount=discount, subtotal=subtotal
        )
    return discount


def lines_subtotal(lines: Iterable[Mapping[str, object]]) -> int:
    """The sum of line columns (as `line_values` makes them) that count: not waitlisted."""
    total = 0
    for line in lines:
        if not line["waitlisted"]:
            quantity, price = line["quantity"], line["unit_price"]
            assert isinstance(quantity, int) and isinstance(price, int)
            total += quantity * price
    return total


def price_moves(before: Sequence[OrderLine], after: Sequence[OrderLine]) -> list[dict[str, object]]:
    """The lines whose unit price changed, as the event keeps them: the code (or SKU), the old
    and the new price. Lines are paired by item and code, in order, so a new line of another
    item is not a price change."""
    waiting: dict[tuple[str | None, str], list[int]] = {}
    for line in before:
        waiting.setdefault((line.sku, line.code), []).append(line.unit_price)
    moves: list[dict[str, object]] = []
    for line in after:
        old = waiting.get((line.sku, line.code))
        if not old:
            continue
        was = old.pop(0)
        if was != line.unit_price:
            moves.append({"code": line.code or line.sku or "", "from": was, "to": line.unit_price})
    return moves


@dataclass(frozen=True)
class Catalog:
    """The items some lines name, loaded once: by SKU, by default code, and a live session's
    own code -> SKU table, so that many drafts are priced with one query."""

    by_sku: Mapping[str, Item]
    by_code: Mapping[str, Item]
    codes: Mapping[str, str]

    def item_for(self, given: LineInput, code: str) -> Item | None:
        if given.sku:
            return self.by_sku.get(given.sku)
        if code in self.codes:
            return self.by_sku.get(self.codes[code])
        return self.by_code.get(code)


async def load_catalog(
    session: AsyncSession, inputs: Iterable[LineInput], codes: Mapping[str, str] | None = None
) -> Catalog:
    """The items `inputs` name, directly by SKU or through `codes` (first) or default codes."""
    mapped = {code.upper(): sku for code, sku in (codes or {}).items()}
    wanted_skus: set[str] = set()
    wanted_codes: set[str] = set()
    for line in inputs:
        if line.sku:
            wanted_skus.add(line.sku)
        elif line.code:
            wanted_codes.add(line.code.upper())
    wanted_skus |= {mapped[c] for c in wanted_codes if c in mapped}
    by_sku: dict[str, Item] = {}
    by_code: dict[str, Item] = {}
    if wanted_skus or wanted_codes:
        rows = await session.scalars(
            select(Item).where(or_(Item.sku.in_(wanted_skus), Item.code.in_(wanted_codes)))
        )
        for item in rows:
            by_sku[item.sku] = item
            if item.code:
                by_code[item.code.upper()] = item
    return Catalog(by_sku, by_code, mapped)


def line_values(
    position: int, given: LineInput, catalog: Catalog, *, unknown_is_error: bool
) -> dict[str, object]:
    """One order line's columns, with name and price snapshots taken from the catalog.

    A code nobody knows either raises or, for lines from a comment, stays on the order without
    an item and marked for review.
    """
    if not 1 <= given.quantity <= MAX_QUANTITY:
        raise InvalidInput(Reason.OUT_OF_RANGE, field="quantity", low=1, high=MAX_QUANTITY)
    code = clean_text(given.code or "", "code").upper()
    item = catalog.item_for(given, code)
    if item is None and (unknown_is_error or given.sku):
        if given.sku:
            raise InvalidInput(Reason.UNKNOWN_SKU, field="lines", skus=[given.sku])
        raise InvalidInput(Reason.UNKNOWN_CODE, field="lines", code=given.code or "")
    price = given.unit_price if given.unit_price is not None else (item.price if item else 0)
    return {
        "position": position,
        "code": code or (item.code or "" if item else ""),
        "item_id": item.id if item else None,
        "sku": item.sku if item else None,
        "name": item.name if item else "",
        "unit_price": _money(price, "unit_price"),
        "quantity": given.quantity,
        "variant": clean_text(given.variant, "variant"),
        "needs_review": given.needs_review or item is None,
        **review_columns(given, item is None, code),
        "waitlisted": given.waitlisted,
        "comment_id": given.comment_id,
    }


def review_columns(given: LineInput, unknown: bool, code: str) -> dict[str, str]:
    """Why the line needs checking: a code nobody knows says so itself; otherwise the reason
    the comment's reading gave, kept only while the line needs review."""
    if unknown:
        return {"review_reason": UNKNOWN_CODE, "review_value": code[:REVIEW_VALUE_LIMIT]}
    if not given.needs_review:
        return {"review_reason": "", "review_value": ""}
    return {
        "review_reason": given.review_reason[:REVIEW_REASON_LIMIT],
        "review_value": given.review_value[:REVIEW_VALUE_LIMIT],
    }


async def resolve_lines(
    session: AsyncSession,
    inputs: Sequence[LineInput],
    *,
    unknown_is_error: bool,
    codes: Mapping[str, str] | None = None,
) -> list[OrderLine]:
    """Order lines for `inputs`, each naming its item by `sku` or by a short `code` (first the
    session's `codes` table of code -> sku, then the items' default codes)."""
    catalog = await load_catalog(session, inputs, codes)
    return [
        OrderLine(**line_values(position, given, catalog, unknown_is_error=unknown_is_error))
        for position, given in enumerate(inputs)
    ]


async def apply_changes(
    session: AsyncSession, order: Order, changes: OrderChanges
) -> dict[str, object]:
    """Copy `changes` onto `order`, validating each field; the caller owns the transaction.

    Returns what the event should carry besides the fields' names: the money that moved, old
    and new (`discount`, `shipping_fee` as `[old, new]`, `prices` per line), so the history
    shows a deal as it was struck. COD left to follow the total follows it (`Order.cod_amount`).
    """
    moved: dict[str, object] = {}
    named = changes.named()
    before_fee, before_discount = order.shipping_fee, order.discount
    for name in ("buyer_name", "street", "ward", "district", "province", "note", "facebook_id"):
        value = getattr(changes, name)
        if value is not None:
            setattr(order, name, clean_text(value, name))
    if order.address_review and order.ward.strip() and order.province.strip():
        order.address_review = False  # the written address now has its ward and province
    if changes.buyer_phone is not None:
        phone = normalize_phone(changes.buyer_phone) if changes.buyer_phone.strip() else ""
        if phone is None:
            raise InvalidInput(Reason.BAD_PHONE, field="phone", typed=changes.buyer_phone)
        order.buyer_phone = phone
    if changes.shipping_fee is not None:
        order.shipping_fee = _money(changes.shipping_fee, "shipping_fee")
    if changes.cod_follows_total:
        order.cod_override = None
    elif changes.cod_amount is not None:
        order.cod_override = _money(changes.cod_amount, "cod_amount")
    if changes.staff_id is not None:
        # Through the relationship, so a snapshot taken in this session shows the new staff.
        order.staff = await session.get(Staff, changes.staff_id)
        if order.staff is None:
            raise InvalidInput(Reason.NO_STAFF, field="staff", staff=changes.staff_id)
    if changes.lines is not None:
        new_lines = await resolve_lines(session, changes.lines, unknown_is_error=False)
        if prices := price_moves(list(order.lines), new_lines):
            moved["prices"] = prices
            named.append("unit_price")
            if _shape(order.lines) == _shape(new_lines):
                named.remove("lines")  # the same lines: only their prices moved
        order.lines.clear()
        await session.flush()
        order.lines.extend(new_lines)
    if changes.discount is not None:
        order.discount = check_discount(changes.discount, order.subtotal)
    elif changes.lines is not None and order.discount:
        check_discount(order.discount, order.subtotal)  # fewer or cheaper lines
    if changes.payment_method is not None or changes.deposit is not None:
        moved |= _set_payment(order, changes)
    if order.shipping_fee != before_fee:
        moved["shipping_fee"] = [before_fee, order.shipping_fee]
    if order.discount != before_discount:
        moved["discount"] = [before_discount, order.discount]
    return {"fields": named} | moved


def _set_payment(order: Order, changes: OrderChanges) -> dict[str, object]:
    """The payment method and, for a deposit, its amount: a deposit order must ask something,
    never more than the order's total; another method asks no deposit."""
    before = (order.payment_method, order.deposit)
    method = order.payment_method if changes.payment_method is None else changes.payment_method
    if method not in METHODS:
        raise InvalidInput(
            Reason.UNKNOWN_PAYMENT_METHOD, field="payment_method", given=method, known=list(METHODS)
        )
    deposit = order.deposit if changes.deposit is None else _money(changes.deposit, "deposit")
    if method != PaymentMethod.DEPOSIT:
        deposit = 0
    elif deposit <= 0:
        raise InvalidInput(Reason.DEPOSIT_NEEDED, field="deposit")
    elif order.lines and deposit > order.total:
        raise InvalidInput(
            Reason.DEPOSIT_TOO_LARGE, field="deposit", deposit=deposit, total=order.total
        )
    order.payment_method, order.deposit = method, deposit
    if (method, deposit) == before:
        return {}
    return {"payment": [list(before), [method, deposit]]}


def _shape(lines: Iterable[OrderLine]) -> list[tuple[object, ...]]:
    """A list of lines without their prices."""
    return [(ln.sku, ln.code, ln.quantity, ln.variant, ln.waitlisted) for ln in lines]
