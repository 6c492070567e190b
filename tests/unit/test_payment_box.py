"""The order page's payment box and the payment forms, without HTTP: what the box says of an
order's money, when it draws a VietQR code, and how typed amounts are read. Whatever staff type
(or a tampered form sends), the forms give back a value or a sentence, never an exception."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from orders.changes import MAX_MONEY, OrderChanges
from orders.payments import PaymentIn
from orders.vietqr import BankAccount, fields_of, order_qr
from orders.views import PaymentView
from staff_web.strings import labels
from staff_web.strings_payment import PAYMENT
from staff_web.views import edit_form
from staff_web.views.new_order_form import empty_form, payment_of
from staff_web.views.payment_box import method_changes, payment_box, payment_in, typed
from tests.order_views import order_row

BANK = BankAccount("970436", "0011223344", "NGUYEN THI LAN")
EN = labels("en")
VI = labels("vi")


def transfer(paid: int = 0, total: int = 300_000) -> PaymentView:
    return PaymentView("transfer", 0, paid, total - paid, max(total - paid, 0))


def test_both_languages_have_the_same_payment_words():
    assert set(PAYMENT["vi"]) == set(PAYMENT["en"])
    for key, english in PAYMENT["en"].items():
        assert re.findall(r"{\w+}", english) == re.findall(r"{\w+}", PAYMENT["vi"][key]), key
    assert all(VI[key] == PAYMENT["vi"][key] for key in PAYMENT["vi"])  # merged, not shadowed


def test_a_transfer_order_awaiting_its_money_draws_the_code_for_what_is_due():
    order = order_row(status="waiting_for_shipping", payment=transfer(paid=100_000))
    box = payment_box(order, BANK, "vi")
    assert (box.method_label, box.asked, box.overpaid, box.editable) == (
        "Chuyển khoản",
        200_000,
        0,
        True,
    )
    assert box.qr is not None and str(box.qr).startswith("<svg")
    assert box.memo == "CD000042"
    assert [value for value, _ in box.methods] == ["cod", "transfer", "deposit"]


def test_no_code_without_a_bank_for_cod_when_paid_or_cancelled():
    assert payment_box(order_row(payment=transfer()), None, "en").qr is None
    assert payment_box(order_row(), BANK, "en").qr is None  # COD asks nothing by transfer
    paid = order_row(payment=transfer(paid=300_000))
    assert payment_box(paid, BANK, "en").qr is None
    gone = order_row(status="cancelled", payment=transfer())
    assert payment_box(gone, BANK, "en").qr is None
    assert not payment_box(order_row(status="shipping"), BANK, "en").editable


def test_an_overpaid_order_says_how_much_to_give_back():
    box = payment_box(order_row(payment=transfer(paid=350_000)), BANK, "en")
    assert (box.overpaid, box.asked, box.qr) == (50_000, 0, None)


@given(st.text(max_size=60), st.text(max_size=200))
def test_any_typed_payment_is_read_or_refused_in_words(amount: str, reference: str):
    payment, said = payment_in(amount, reference, EN)
    assert (payment is None) == bool(said)
    if payment is not None:
        assert 0 <= payment.amount <= MAX_MONEY
        assert len(payment.reference) <= 128 and "\n" not in payment.reference


def test_typed_amounts_are_read_like_the_other_money_fields():
    assert payment_in("250k", " FT 1 ", EN) == (PaymentIn(250_000, reference="FT 1"), "")
    assert payment_in("250.000 đ", "", EN)[0] == PaymentIn(250_000)
    assert payment_in("", "", EN) == (None, "Type the amount received.")
    assert payment_in("abc", "", VI)[1] == "'abc' không phải số tiền (ví dụ 250000, 250k)."


@given(st.sampled_from(["cod", "transfer", "deposit", "", "cash"]), st.text(max_size=40))
def test_any_method_form_is_a_change_or_a_sentence(method: str, deposit: str):
    changes, said = method_changes(method, deposit, EN)
    assert (changes is None) == bool(said)
    if changes is not None:
        assert changes.payment_method == (method or None)
        if method != "deposit":
            assert changes.deposit is None


def test_a_deposit_is_read_only_for_a_deposit_order():
    assert method_changes("deposit", "100k", EN) == (
        OrderChanges(payment_method="deposit", deposit=100_000),
        "",
    )
    assert method_changes("deposit", "", EN) == (OrderChanges(payment_method="deposit"), "")
    assert method_changes("transfer", "100k", EN) == (OrderChanges(payment_method="transfer"), "")


def test_a_form_is_given_back_as_typed_cut_to_its_fields():
    got = typed({"payment_method": " transfer ", "deposit": "1" * 99, "reference": ["x"]})
    assert (got.payment_method, len(got.deposit), got.reference) == ("transfer", 40, "")


def test_the_edit_form_changes_only_what_differs():
    order = order_row(payment=PaymentView("deposit", 100_000, 0, 300_000, 100_000))
    form = edit_form.from_order(order)
    assert (form.value("payment_method"), form.value("deposit")) == ("deposit", "100000")
    assert edit_form.payment_changes(form, order, EN) == {}
    form.values["deposit"] = "150k"
    assert edit_form.payment_changes(form, order, EN) == {"deposit": 150_000}
    form.values.update(payment_method="cod", deposit="150k")
    assert edit_form.payment_changes(form, order, EN) == {"payment_method": "cod"}
    form.values.update(payment_method="deposit", deposit="many")
    assert edit_form.payment_changes(form, order, EN) == {}
    assert form.errors["deposit"] == "'many' is not an amount (e.g. 250000, 250k)."


def test_cod_left_to_follow_the_money_follows_what_is_due():
    half = order_row(
        cod_amount=200_000, payment=PaymentView("deposit", 100_000, 100_000, 200_000, 0)
    )
    assert edit_form.from_order(half).cod_follows
    by_transfer = order_row(cod_amount=0, payment=transfer())
    assert edit_form.from_order(by_transfer).cod_follows
    by_hand = order_row(cod_amount=120_000)
    assert not edit_form.from_order(by_hand).cod_follows


def test_the_new_order_form_asks_a_deposit_before_the_draft_is_made():
    form = empty_form()
    assert form.value("payment_method") == "cod" and payment_of(form, EN) is None
    form.values["payment_method"] = "transfer"
    assert payment_of(form, EN) == OrderChanges(payment_method="transfer")
    form.values["payment_method"] = "deposit"
    payment_of(form, EN)
    assert form.errors["deposit"] == "A deposit order needs a deposit above 0."
    form = empty_form()
    form.values.update(payment_method="deposit", deposit="50k")
    assert payment_of(form, EN) == OrderChanges(payment_method="deposit", deposit=50_000)
    form.values["payment_method"] = "cash"
    assert payment_of(form, EN) is None and form.errors["payment_method"]


def test_the_qr_code_asks_the_deposit_then_nothing():
    order = order_row(status="draft", payment=PaymentView("deposit", 100_000, 0, 300_000, 100_000))
    box = payment_box(order, BANK, "en")
    assert box.asked == 100_000 and box.qr is not None
    payload = order_qr(BANK, order)
    assert payload is not None and fields_of(payload)["54"] == "100000"
