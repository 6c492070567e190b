"""The Edit order form as data: read from the order, read back from what staff submitted, and
turned into `OrderChanges`. Pure functions, so every rule is tested without HTTP.

What staff typed is kept exactly as typed (`EditForm.values`, `FormLine`), errors are kept per
field, and only fields that differ from the order become changes: the event log then says what
was really edited, and a form saved twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from application.typed_values import BadReply, read_money
from orders.addresses import fold, provinces, wards
from orders.changes import MAX_QUANTITY, LineInput, OrderChanges
from orders.payments import PaymentMethod
from orders.phones import normalize_phone
from orders.shipper_kinds import CARRIERS, INDIVIDUAL
from orders.transitions import ShipWith
from orders.views import CustomerView, ItemView, OrderRow

TEXT_FIELDS: Final = (
    "name",
    "phone",
    "street",
    "note",
    "cod",
    "shipping_fee",
    "discount",
    "province",
    "ward",
    "payment_method",
    "deposit",
)
SHIP_FIELDS: Final = ("carrier", "shipper_name", "shipper_phone")
MAX_LINES: Final = 200
# The domain's field names (InvalidInput.details["field"]) as the form's.
DOMAIN_FIELDS: Final = {
    "buyer_name": "name",
    "phone": "phone",
    "street": "street",
    "note": "note",
    "ward": "ward",
    "district": "province",
    "province": "province",
    "address": "street",
    "shipping_fee": "shipping_fee",
    "discount": "discount",
    "cod_amount": "cod",
    "lines": "lines",
    "quantity": "lines",
    "variant": "lines",
    "code": "lines",
    "unit_price": "lines",
    "carrier": "carrier",
    "shipper_name": "shipper_name",
    "shipper_phone": "shipper_phone",
    "payment_method": "payment_method",
    "deposit": "deposit",
}


@dataclass
class FormLine:
    """One line as the form shows it; `id` is the stored line it started from, if any."""

    id: str = ""
    code: str = ""
    sku: str = ""
    quantity: str = "1"
    variant: str = ""
    waitlisted: bool = False
    remove: bool = False
    accept: bool = False  # staff accept the line as read: its review mark goes
    error: str = ""
    price: str = ""  # the unit price as typed; empty: the item's catalog price


@dataclass
class EditForm:
    version: str
    lines: list[FormLine]
    values: dict[str, str]
    cod_follows: bool
    new_sku: str = ""
    new_quantity: str = "1"
    errors: dict[str, str] = field(default_factory=dict)
    free_shipping: bool = False  # ticked: the shipping fee is 0, whatever is typed
    new_price: str = ""

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def province_code(self) -> int | None:
        text = self.value("province")
        return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class Catalog:
    """The items a line may name: by SKU, with the code a session gives each SKU."""

    items: Mapping[str, ItemView]  # by sku
    session_codes: Mapping[str, str]  # sku -> the code this order's session uses for it


def province_code_of(name: str) -> int | None:
    """The picker's code for a stored province name (`Hà Nội` or `Thành phố Hà Nội`)."""
    wanted = fold(name)
    if not wanted:
        return None
    for code, official in provinces():
        folded = fold(official)
        if wanted in (folded, folded.removeprefix("thanh pho ").removeprefix("tinh ")):
            return code
    return None


def ward_code_of(province: int | None, name: str) -> int | None:
    wanted = fold(name)
    if province is None or not wanted:
        return None
    for code, official in wards(province):
        if fold(official) == wanted:
            return code
    return None


def from_order(order: OrderRow) -> EditForm:
    """The form as the order is now."""
    customer = order.customer
    province = province_code_of(customer.province or "")
    ward = ward_code_of(province, customer.ward or "")
    lines = [
        FormLine(
            id=str(line.id),
            code=line.code or "",
            sku=line.sku or "",
            quantity=str(line.quantity),
            variant=line.variant or "",
            waitlisted=line.waitlisted,
            price=str(line.unit_price),
        )
        for line in order.lines
    ]
    values = {
        "name": customer.name or "",
        "phone": customer.phone or "",
        "street": customer.address or "",
        "note": order.note or "",
        "cod": str(order.cod_amount or 0),
        "shipping_fee": str(order.shipping_fee or 0),
        "discount": str(order.discount or 0),
        "province": str(province) if province else "",
        "ward": str(ward) if ward else "",
        "carrier": "",
        "shipper_name": "",
        "shipper_phone": "",
        "payment_method": order.payment.method,
        "deposit": str(order.payment.deposit) if order.payment.deposit else "",
    }
    cod_follows = order.cod_amount == cod_following(order)
    return EditForm(str(order.version), lines, values, cod_follows)


def cod_following(order: OrderRow) -> int:
    """The COD an order asks when staff left it to follow the money: what is still due, and
    nothing on a transfer order (the buyer pays it all before the parcel leaves)."""
    if order.payment.method == PaymentMethod.TRANSFER:
        return 0
    return max(order.payment.due, 0)


def _text(form: Mapping[str, Any], name: str, limit: int = 2000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def from_submitted(form: Mapping[str, Any]) -> EditForm:
    """The form exactly as submitted (nothing checked yet)."""
    count = min(int(c) if (c := _text(form, "lines", 4)).isdigit() else 0, MAX_LINES)
    lines = [
        FormLine(
            id=_text(form, f"line-{i}-id", 12),
            code=_text(form, f"line-{i}-code", 32),
            sku=_text(form, f"line-{i}-sku", 64),
            quantity=_text(form, f"line-{i}-qty", 12),
            variant=_text(form, f"line-{i}-variant", 255),
            waitlisted=bool(form.get(f"line-{i}-waitlisted")),
            remove=bool(form.get(f"line-{i}-remove")),
            price=_text(form, f"line-{i}-price", 40),
        )
        for i in range(count)
    ]
    values = {name: _text(form, name) for name in (*TEXT_FIELDS, *SHIP_FIELDS)}
    return EditForm(
        _text(form, "version", 12),
        lines,
        values,
        bool(form.get("cod_follows")),
        new_sku=_text(form, "new-sku", 64),
        new_quantity=_text(form, "new-qty", 12) or "1",
        free_shipping=bool(form.get("free_shipping")),
        new_price=_text(form, "new-price", 40),
    )


def _quantity(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_QUANTITY else None


def _money(form: EditForm, name: str, t: Mapping[str, str]) -> int | None:
    try:
        return read_money(form.value(name))
    except BadReply:
        form.errors[name] = t["edit.bad_money"].format(typed=form.value(name)[:40])
        return None


def typed_price(typed: str, t: Mapping[str, str]) -> tuple[int | None, str]:
    """A unit price as typed (`150000`, `150k`): (None, "") when left empty, (None, error)
    when it is not an amount."""
    if not typed.strip():
        return None, ""
    try:
        return read_money(typed), ""
    except BadReply:
        return None, t["edit.bad_money"].format(typed=typed[:40])


def _line_inputs(
    form: EditForm, order: OrderRow, catalog: Catalog, t: Mapping[str, str]
) -> tuple[list[LineInput], bool]:
    """The lines to store and whether they differ from the order's."""
    stored = {str(line.id): line for line in order.lines}
    inputs: list[LineInput] = []
    changed = False
    for line in form.lines:
        if line.remove:
            changed = True
            continue
        quantity = _quantity(line.quantity)
        if quantity is None:
            line.error = t["edit.bad_quantity"]
            continue
        if line.sku and line.sku not in catalog.items:
            line.error = t["edit.bad_item"]
            continue
        price, line.error = typed_price(line.price, t)
        if line.error:
            continue
        was = stored.get(line.id)
        keep: dict[str, Any] = {
            "quantity": quantity,
            "variant": line.variant.strip(),
            "waitlisted": line.waitlisted,
        }
        if was is not None and (was.sku or "") == line.sku:
            changed |= quantity != was.quantity or line.waitlisted != was.waitlisted
            accepted = line.accept and was.needs_review and was.sku is not None
            changed |= accepted
            if price is not None and price != was.unit_price:
                changed = True
            else:
                price = was.unit_price if was.sku else None
            inputs.append(
                LineInput(
                    sku=was.sku,
                    code=was.code or None,
                    unit_price=price,
                    needs_review=was.needs_review and not accepted,
                    comment_id=was.comment_id,
                    review_reason="" if accepted else was.review_reason,
                    review_value="" if accepted else was.review_value,
                    **keep,
                )
            )
            continue
        changed = True
        comment_id = was.comment_id if was is not None else None
        if was is not None and price == was.unit_price:
            price = None  # another item: its own price, unless staff typed a new one
        picked = _picked(line.sku, line.code, catalog, comment_id=comment_id, **keep)
        inputs.append(replace(picked, unit_price=price) if line.sku else picked)
    if form.new_sku:
        quantity = _quantity(form.new_quantity)
        price, price_error = typed_price(form.new_price, t)
        if form.new_sku not in catalog.items:
            form.errors["new"] = t["edit.bad_item"]
        elif quantity is None:
            form.errors["new"] = t["edit.bad_quantity"]
        elif price_error:
            form.errors["new"] = price_error
        else:
            changed = True
            picked = _picked(form.new_sku, "", catalog, quantity=quantity)
            inputs.append(replace(picked, unit_price=price))
    if any(line.error for line in form.lines):
        form.errors.setdefault("lines", t["edit.fix_errors"])
    return inputs, changed or len(inputs) != len(stored)


def _picked(
    sku: str, typed_code: str, catalog: Catalog, *, comment_id: str | None = None, **keep: Any
) -> LineInput:
    """A line whose item staff chose: it takes the session's code for that item (as fixing
    a code in the chat does), else the item's own, and the catalog's price."""
    if not sku:
        return LineInput(code=typed_code or None, needs_review=True, comment_id=comment_id, **keep)
    item = catalog.items[sku]
    code = catalog.session_codes.get(sku) or item.code or typed_code or None
    return LineInput(sku=sku, code=code, comment_id=comment_id, **keep)


def _address(form: EditForm, customer: CustomerView, t: Mapping[str, str]) -> dict[str, str]:
    """Province and ward names from the pickers; an empty province keeps the stored one."""
    code = form.province_code()
    if not form.value("province"):
        return {}
    names = dict(provinces())
    if code not in names:
        form.errors["province"] = t["edit.bad_province"]
        return {}
    ward_names = dict(wards(code))
    ward_text = form.value("ward")
    ward = ward_names.get(int(ward_text)) if ward_text.isdigit() else None
    if ward_text and ward is None:
        form.errors["ward"] = t["edit.bad_ward"]
        return {}
    changes: dict[str, str] = {}
    if names[code] != (customer.province or ""):
        # Another province: the old ward and district belong to the old one.
        changes.update(province=names[code], ward=ward or "", district="")
    elif ward is not None and ward != (customer.ward or ""):
        changes["ward"] = ward
    return changes


def changes_of(
    form: EditForm, order: OrderRow, catalog: Catalog, t: Mapping[str, str]
) -> OrderChanges:
    """What the form changes on `order`; problems go to `form.errors` (and lines' `error`)."""
    customer = order.customer
    set_: dict[str, Any] = {}
    name = form.value("name").strip()
    if name != (customer.name or ""):
        set_["buyer_name"] = name
    typed_phone = form.value("phone").strip()
    phone = normalize_phone(typed_phone) if typed_phone else ""
    if phone is None:
        form.errors["phone"] = t["edit.bad_phone"].format(typed=typed_phone[:40])
    elif phone != (customer.phone or ""):
        set_["buyer_phone"] = phone
    if form.value("street").strip() != (customer.address or ""):
        set_["street"] = form.value("street")
    if form.value("note").strip() != (order.note or ""):
        set_["note"] = form.value("note")
    set_.update(_address(form, customer, t))
    fee = 0 if form.free_shipping else _money(form, "shipping_fee", t)
    if fee is not None and fee != order.shipping_fee:
        set_["shipping_fee"] = fee
    discount = _money(form, "discount", t) if form.value("discount").strip() else 0
    if discount is not None and discount != order.discount:
        set_["discount"] = discount
    lines, lines_changed = _line_inputs(form, order, catalog, t)
    if lines_changed:
        set_["lines"] = lines
    money_moves = lines_changed or "shipping_fee" in set_ or "discount" in set_
    cod_now = order.cod_amount
    if form.cod_follows:
        if money_moves or cod_now != cod_following(order):
            set_["cod_follows_total"] = True
    else:
        cod = _money(form, "cod", t)
        if cod is not None and (cod != cod_now or money_moves):
            set_["cod_amount"] = cod
    set_.update(payment_changes(form, order, t))
    return OrderChanges(**set_)


def payment_changes(form: EditForm, order: OrderRow, t: Mapping[str, str]) -> dict[str, Any]:
    """The payment method and deposit where they differ from the order's. The deposit is
    read only for a deposit order; left empty, the domain keeps the one set (or says one is
    needed). An unknown method is the domain's to refuse, beside the field."""
    changes: dict[str, Any] = {}
    method = form.value("payment_method").strip() or order.payment.method
    if method != order.payment.method:
        changes["payment_method"] = method
    if method == PaymentMethod.DEPOSIT and form.value("deposit").strip():
        deposit = _money(form, "deposit", t)
        if deposit is not None and deposit != order.payment.deposit:
            changes["deposit"] = deposit
    return changes


def ship_with(form: EditForm, offered: list[str], t: Mapping[str, str]) -> ShipWith | None:
    """The carrier or individual shipper chosen in the form's ship section. A shipper's name
    or phone typed with no carrier ticked chooses the individual shipper: staff who filled
    those fields meant them."""
    kind = form.value("carrier")
    if not kind and (form.value("shipper_name").strip() or form.value("shipper_phone").strip()):
        kind = form.values["carrier"] = INDIVIDUAL
    if kind == INDIVIDUAL:
        name = form.value("shipper_name").strip()
        phone = normalize_phone(form.value("shipper_phone"))
        if not name:
            form.errors["shipper_name"] = t["edit.need_shipper"]
        if phone is None:
            typed = form.value("shipper_phone")[:40]
            form.errors["shipper_phone"] = t["edit.bad_phone"].format(typed=typed)
        if not name or phone is None:
            return None
        return ShipWith(INDIVIDUAL, name, phone)
    if kind in CARRIERS and kind in offered:
        return ShipWith(kind)
    form.errors["carrier"] = t["edit.need_shipper"]
    return None


def accept_line(form: EditForm, do: str) -> None:
    """`accept-<n>`: the button beside line n that accepts it as read (saved with the rest of
    the form)."""
    number = do.removeprefix("accept-")
    if not do.startswith("accept-") or not (number.isascii() and number.isdigit()):
        return
    if len(number) <= 4 and int(number) < len(form.lines):
        form.lines[int(number)].accept = True


def is_empty(changes: OrderChanges) -> bool:
    return changes == OrderChanges()


def with_version(form: EditForm, version: int) -> EditForm:
    return replace(form, version=str(version))


def domain_field(name: object) -> str:
    """Where on the form the domain's complaint about `name` belongs ("" for the top)."""
    return DOMAIN_FIELDS.get(name, "") if isinstance(name, str) else ""
