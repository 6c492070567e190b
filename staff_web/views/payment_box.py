"""An order's money as the order page shows it, and the payment forms read back: pure
functions, so what the box says and how typed amounts are read is tested without HTTP.

The box says how the buyer pays, what came in and what is still due, warns when the buyer sent
too much, and, when the shop's bank account is set and money is asked by transfer, draws the
VietQR code (`orders.vietqr.order_qr`) with the account and memo written beside it, so staff can
show it on the screen or send a photo of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from application.typed_values import BadReply, read_money
from application.wording.labels import payment_label
from orders.changes import OrderChanges
from orders.lifecycle import Action
from orders.payments import METHODS, PaymentIn, PaymentMethod
from orders.vietqr import BankAccount, memo, order_qr
from orders.views import OrderRow
from staff_web.qr import qr_svg

REFERENCE_LIMIT = 128  # `payments.reference`'s width; a note longer than that is cut


@dataclass(frozen=True, slots=True)
class PaymentBox:
    """What the order page's payment box shows; `qr` is None when no code is drawn."""

    method: str
    method_label: str
    deposit: int
    paid: int
    due: int
    asked: int  # what the buyer is asked to send by transfer now
    overpaid: int
    editable: bool  # the method can still change (draft, waiting for shipping)
    methods: tuple[tuple[str, str], ...]  # (value, label) of every method, for the form
    qr: Markup | None
    bank: BankAccount | None
    memo: str  # the transfer purpose the code carries: the order code


def payment_box(order: OrderRow, bank: BankAccount | None, language: str) -> PaymentBox:
    money = order.payment
    payload = order_qr(bank, order)
    return PaymentBox(
        method=money.method,
        method_label=payment_label(money.method, language),
        deposit=money.deposit,
        paid=money.paid,
        due=money.due,
        asked=money.transfer_asked,
        overpaid=money.overpaid,
        editable=Action.EDIT.value in order.allowed_actions,
        methods=method_choices(language),
        qr=qr_svg(payload) if payload else None,
        bank=bank,
        memo=memo(order.code or ""),
    )


def method_choices(language: str) -> tuple[tuple[str, str], ...]:
    """(value, label) of every payment method, in the order the forms offer them."""
    return tuple((method, payment_label(method, language)) for method in METHODS)


@dataclass(frozen=True, slots=True)
class Typed:
    """A payment form as staff filled it, given back when it is refused."""

    payment_method: str = ""
    deposit: str = ""
    amount: str = ""
    reference: str = ""


def _text(form: Mapping[str, Any], name: str, limit: int) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def typed(form: Mapping[str, Any]) -> Typed:
    return Typed(
        payment_method=_text(form, "payment_method", 16).strip(),
        deposit=_text(form, "deposit", 40),
        amount=_text(form, "amount", 40),
        reference=_text(form, "reference", 500),
    )


def method_changes(
    method: str, deposit_text: str, t: Mapping[str, str]
) -> tuple[OrderChanges | None, str]:
    """The method and deposit as an edit, or (None, why) for an amount that is not one. An
    empty deposit on a deposit order changes no amount: the domain then keeps the one set,
    or says a deposit is needed. An unknown method is left for the domain to refuse."""
    deposit: int | None = None
    if method == PaymentMethod.DEPOSIT and deposit_text.strip():
        try:
            deposit = read_money(deposit_text)
        except BadReply:
            return None, t["edit.bad_money"].format(typed=deposit_text[:40])
    return OrderChanges(payment_method=method or None, deposit=deposit), ""


def payment_in(
    amount_text: str, reference: str, t: Mapping[str, str]
) -> tuple[PaymentIn | None, str]:
    """Money staff say came in, or (None, why) when the amount is missing or not an amount.
    Zero and amounts beyond what an order holds are the domain's to refuse."""
    if not amount_text.strip():
        return None, t["pay.need_amount"]
    try:
        amount = read_money(amount_text)
    except BadReply:
        return None, t["edit.bad_money"].format(typed=amount_text[:40])
    note = " ".join(reference.split())[:REFERENCE_LIMIT]
    return PaymentIn(amount, reference=note), ""
