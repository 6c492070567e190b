"""The new order form (an order taken by phone or Messenger) as data: read from what staff
submitted, filled from a buyer's record, and turned into a `NewOrder`. Pure functions, so
every rule is tested without HTTP.

What staff typed is kept exactly as typed, and each problem is kept beside its field: a form
sent back never loses a line or a phone number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from application.views import CustomerRecord
from orders.addresses import provinces, wards
from orders.changes import LineInput, OrderChanges
from orders.drafts import Buyer, NewOrder
from orders.payments import METHODS, PaymentMethod
from orders.phones import normalize_phone
from orders.views import ItemView
from staff_web.views.edit_form import province_code_of, typed_price, ward_code_of

TEXT_FIELDS: Final = (
    "q",
    "name",
    "phone",
    "street",
    "province",
    "ward",
    "note",
    "discount",
    "shipping_fee",
    "payment_method",
    "deposit",
)
ROWS: Final = 3  # empty item rows a new form shows, and how many "more rows" adds
MAX_ROWS: Final = 100
# The domain's field names (InvalidInput's `field`) as this form's.
DOMAIN_FIELDS: Final = {
    "buyer_name": "name",
    "phone": "phone",
    "street": "street",
    "ward": "ward",
    "province": "province",
    "district": "province",
    "note": "note",
    "discount": "discount",
    "shipping_fee": "shipping_fee",
    "lines": "lines",
    "quantity": "lines",
    "unit_price": "lines",
    "code": "lines",
    "variant": "lines",
    "payment_method": "payment_method",
    "deposit": "deposit",
}


@dataclass
class ItemRow:
    """One line as typed: the item (its SKU or its code), the quantity, the unit price (empty:
    the catalog's)."""

    item: str = ""
    quantity: str = "1"
    price: str = ""
    error: str = ""


@dataclass
class NewOrderForm:
    values: dict[str, str]
    rows: list[ItemRow]
    free_shipping: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def province_code(self) -> int | None:
        text = self.value("province")
        return int(text) if text.isdigit() else None


def empty_form() -> NewOrderForm:
    values = {name: "" for name in TEXT_FIELDS}
    values["payment_method"] = PaymentMethod.COD.value
    return NewOrderForm(values, [ItemRow() for _ in range(ROWS)])


def _text(form: Mapping[str, Any], name: str, limit: int = 2000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def from_submitted(form: Mapping[str, Any]) -> NewOrderForm:
    """The form exactly as submitted (nothing checked yet)."""
    typed = _text(form, "rows", 4)
    count = min(int(typed) if typed.isdigit() else ROWS, MAX_ROWS)
    rows = [
        ItemRow(
            item=_text(form, f"item-{i}", 64),
            quantity=_text(form, f"qty-{i}", 12) or "1",
            price=_text(form, f"price-{i}", 40),
        )
        for i in range(count)
    ]
    values = {name: _text(form, name) for name in TEXT_FIELDS}
    values["payment_method"] = values["payment_method"].strip() or PaymentMethod.COD.value
    return NewOrderForm(values, rows, free_shipping=bool(form.get("free_shipping")))


def with_more_rows(form: NewOrderForm) -> NewOrderForm:
    room = max(0, MAX_ROWS - len(form.rows))
    form.rows.extend(ItemRow() for _ in range(min(ROWS, room)))
    return form


def prefilled(form: NewOrderForm, record: CustomerRecord) -> NewOrderForm:
    """The buyer's details on file in place of what was typed about the buyer; the items,
    money and note stay as typed."""
    province = province_code_of(record.province)
    ward = ward_code_of(province, record.ward)
    form.values.update(
        name=record.name,
        phone=record.phone,
        street=record.address,
        province=str(province) if province else "",
        ward=str(ward) if ward else "",
    )
    return form


def find_item(typed: str, items: Sequence[ItemView]) -> ItemView | None:
    """The item a row names: its SKU, or its code (any case); the picker offers both."""
    wanted = typed.strip()
    if not wanted:
        return None
    for item in items:
        if item.sku == wanted:
            return item
    upper = wanted.upper()
    for item in items:
        if (item.code or "").upper() == upper or item.sku.upper() == upper:
            return item
    return None


def _quantity(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and text.isascii() and 1 <= int(text) <= 10_000 else None


def _money(form: NewOrderForm, name: str, t: Mapping[str, str]) -> int:
    amount, error = typed_price(form.value(name), t)
    if error:
        form.errors[name] = error
    return amount or 0


def _lines(form: NewOrderForm, items: Sequence[ItemView], t: Mapping[str, str]) -> list[LineInput]:
    lines: list[LineInput] = []
    for row in form.rows:
        if not row.item.strip():
            continue
        item = find_item(row.item, items)
        quantity = _quantity(row.quantity)
        price, price_error = typed_price(row.price, t)
        if item is None:
            row.error = t["new.unknown_item"].format(typed=row.item.strip()[:40])
        elif quantity is None:
            row.error = t["edit.bad_quantity"]
        elif price_error:
            row.error = price_error
        else:
            lines.append(LineInput(quantity=quantity, sku=item.sku, unit_price=price))
    if any(row.error for row in form.rows):
        form.errors["lines"] = t["edit.fix_errors"]
    elif not lines:
        form.errors["lines"] = t["new.need_items"]
    return lines


def _place(form: NewOrderForm, t: Mapping[str, str]) -> tuple[str, str]:
    """Province and ward names from the pickers ("" when not chosen)."""
    if not form.value("province"):
        return "", ""
    code = form.province_code()
    names = dict(provinces())
    if code not in names:
        form.errors["province"] = t["edit.bad_province"]
        return "", ""
    ward_text = form.value("ward")
    ward = dict(wards(code)).get(int(ward_text)) if ward_text.isdigit() else None
    if ward_text and ward is None:
        form.errors["ward"] = t["edit.bad_ward"]
    return names[code], ward or ""


def new_order(
    form: NewOrderForm, items: Sequence[ItemView], staff_id: int | None, t: Mapping[str, str]
) -> NewOrder | None:
    """The draft the form asks for, or None with the problems in `form.errors` (and the rows'
    `error`)."""
    typed_phone = form.value("phone").strip()
    phone = normalize_phone(typed_phone) if typed_phone else ""
    if phone is None:
        form.errors["phone"] = t["edit.bad_phone"].format(typed=typed_phone[:40])
    province, ward = _place(form, t)
    lines = _lines(form, items, t)
    discount = _money(form, "discount", t)
    fee = 0 if form.free_shipping else _money(form, "shipping_fee", t)
    if form.errors or phone is None:
        return None
    buyer = Buyer(
        name=form.value("name"),
        phone=phone,
        street=form.value("street"),
        ward=ward,
        province=province,
    )
    return NewOrder(
        buyer=buyer,
        lines=lines,
        source="manual",
        note=form.value("note"),
        shipping_fee=fee,
        discount=discount,
        staff_id=staff_id,
    )


def payment_of(form: NewOrderForm, t: Mapping[str, str]) -> OrderChanges | None:
    """The payment method and deposit the draft is saved with once made (a new draft is COD),
    or None for COD. Read before the draft is made, so a missing or unreadable deposit sends
    the form back instead of leaving a draft half done; a deposit above the total is the
    domain's to refuse, on the new draft's edit page."""
    method = form.value("payment_method").strip() or PaymentMethod.COD.value
    if method not in METHODS:
        form.errors["payment_method"] = t["pay.choose_method"]
        return None
    if method == PaymentMethod.COD:
        return None
    if method != PaymentMethod.DEPOSIT:
        return OrderChanges(payment_method=method)
    deposit = _money(form, "deposit", t)
    if not deposit and "deposit" not in form.errors:
        form.errors["deposit"] = t["pay.need_deposit"]
    return OrderChanges(payment_method=method, deposit=deposit)


def domain_field(name: object) -> str:
    return DOMAIN_FIELDS.get(name, "") if isinstance(name, str) else ""
