"""Money on the bot's card and buttons: how the order is paid, what came in, what is still
awaited; the payment menu and the "ship anyway?" approvals as button data. Pure."""

from __future__ import annotations

import asyncio
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.typed_values import BadReply
from bot import callbacks as cb
from bot.approvals import question
from bot.cards import MAX_TEXT, card_text, utf16_length
from bot.keyboards import edit_keyboard, payment_keyboard
from bot.prompts import DEPOSIT, RECEIVED, read_answer
from orders import errors
from orders.changes import MAX_MONEY, OrderChanges
from orders.errors import Reason
from orders.payments import PaymentIn
from orders.views import PaymentView
from tests.order_views import line, order_view
from tests.unit.test_bot_cards import visible

TOTAL = 350_000


def card(language: str = "vi", **payment: object) -> str:
    """The card of a 350.000 đ order paid as `payment` says (cod_amount as the core gives it)."""
    pay = PaymentView(**payment)  # type: ignore[arg-type]
    cod = 0 if pay.method == "transfer" else max(pay.due, 0)
    order = order_view(
        lines=[line(quantity=1, unit_price=TOTAL)],
        subtotal=TOTAL,
        total=TOTAL,
        cod_amount=cod,
        payment=pay,
    )
    return visible(card_text(order, language=language))


def money_rows(seen: str) -> list[str]:
    return [row for row in seen.splitlines() if row[:1] in {"💳", "💵", "✅", "⚠"}]


def test_a_plain_cod_order_looks_as_it_always_did() -> None:
    seen = card(method="cod", due=TOTAL)
    assert money_rows(seen) == ["💵 Thu hộ (COD): 350.000 đ"]


@pytest.mark.parametrize(
    ("payment", "rows"),
    [
        (
            {"method": "transfer", "due": TOTAL, "transfer_asked": TOTAL},
            ["💳 Chuyển khoản: chưa nhận tiền, còn chờ 350.000 đ", "💵 Thu hộ (COD): 0 đ"],
        ),
        (
            {"method": "transfer", "paid": 200_000, "due": 150_000, "transfer_asked": 150_000},
            ["💳 Chuyển khoản: đã nhận 200.000 đ, còn chờ 150.000 đ", "💵 Thu hộ (COD): 0 đ"],
        ),
        (
            {"method": "transfer", "paid": TOTAL, "due": 0},
            [
                "💳 Chuyển khoản: đã nhận 350.000 đ",
                "✅ Đã nhận đủ tiền",
                "💵 Đã thanh toán trước (không thu hộ)",
            ],
        ),
        (
            {"method": "transfer", "paid": 370_000, "due": -20_000},
            [
                "💳 Chuyển khoản: đã nhận 370.000 đ",
                "⚠️ Khách chuyển thừa 20.000 đ",
                "💵 Đã thanh toán trước (không thu hộ)",
            ],
        ),
        (
            {"method": "deposit", "deposit": 100_000, "due": TOTAL, "transfer_asked": 100_000},
            ["💳 Đặt cọc 100.000 đ: chưa nhận cọc", "💵 Thu hộ (COD): 350.000 đ"],
        ),
        (
            {
                "method": "deposit",
                "deposit": 100_000,
                "paid": 40_000,
                "due": 310_000,
                "transfer_asked": 60_000,
            },
            [
                "💳 Đặt cọc 100.000 đ: đã nhận 40.000 đ, còn chờ 60.000 đ",
                "💵 Thu hộ (COD): 310.000 đ",
            ],
        ),
        (
            {"method": "deposit", "deposit": 100_000, "paid": 100_000, "due": 250_000},
            ["💳 Đặt cọc 100.000 đ: đã nhận 100.000 đ", "💵 Thu hộ (COD): 250.000 đ"],
        ),
        (
            {"method": "cod", "paid": 50_000, "due": 300_000},
            ["💳 Thu hộ (COD): đã nhận 50.000 đ", "💵 Thu hộ (COD): 300.000 đ"],
        ),
    ],
)
def test_the_card_says_how_the_order_is_paid_and_where_the_money_stands(
    payment: dict[str, object], rows: list[str]
) -> None:
    assert money_rows(card(**payment)) == rows


def test_the_money_lines_in_english() -> None:
    seen = card("en", method="transfer", paid=200_000, due=150_000, transfer_asked=150_000)
    assert money_rows(seen) == [
        "💳 Bank transfer: 200.000 đ received, 150.000 đ still awaited",
        "💵 COD: 0 đ",
    ]
    paid = card("en", method="deposit", deposit=100_000, due=TOTAL, transfer_asked=100_000)
    assert "💳 Deposit 100.000 đ: deposit not received" in paid
    assert "⚠️ The buyer sent 20.000 đ too much" in card(
        "en", method="transfer", due=-20_000, paid=370_000
    )
    assert "✅ Paid in full" in card("en", method="transfer", paid=TOTAL)


@given(
    method=st.sampled_from(["cod", "transfer", "deposit"]),
    paid=st.integers(0, 10**12),
    deposit=st.integers(0, 10**12),
    total=st.integers(0, 10**12),
    language=st.sampled_from(["vi", "en"]),
)
def test_any_money_keeps_the_card_sendable(
    method: str, paid: int, deposit: int, total: int, language: str
) -> None:
    due = total - paid
    asked = max(due, 0) if method == "transfer" else 0
    if method == "deposit":
        asked = max(min(deposit - paid, due), 0)
    pay = PaymentView(method, deposit, paid, due, asked)
    order = order_view(
        lines=[line(name="x" * 150)] * 60, total=total, cod_amount=max(due, 0), payment=pay
    )
    text = card_text(order, language=language)
    visible(text)
    assert utf16_length(text) <= MAX_TEXT
    assert "💳" in text or (method == "cod" and paid == 0)


# ---- the "ship anyway?" question ------------------------------------------------------------


def held(method: str, asked: int) -> errors.AwaitingPayment:
    return errors.AwaitingPayment(
        Reason.AWAITING_PAYMENT, order="DH000123", method=method, asked=asked, paid=0
    )


def test_shipping_unpaid_is_asked_in_the_shops_language() -> None:
    assert question(held("transfer", 150_000), "ship", "vi") == (
        "Đơn DH000123 chưa nhận đủ tiền chuyển khoản (còn chờ 150.000 đ). Vẫn giao?"
    )
    assert question(held("deposit", 100_000), "ship", "vi") == (
        "Đơn DH000123 chưa nhận đủ tiền cọc (còn chờ 100.000 đ). Vẫn giao?"
    )
    assert question(held("transfer", 150_000), "ship", "en") == (
        "Order DH000123: the transfer has not fully come in (150.000 đ still awaited). Ship anyway?"
    )


# ---- buttons --------------------------------------------------------------------------------

ids = st.integers(1, 2**53)
versions = st.integers(0, cb.MAX_VERSION)
phones = st.from_regex(r"0[0-9]{9}", fullmatch=True)
approvals = st.sampled_from([(True, False), (False, True), (True, True)])


@given(
    st.one_of(
        st.builds(cb.PayMenu, ids, versions),
        st.builds(cb.PayPick, ids, versions, st.sampled_from(["cod", "transfer", "deposit"])),
        st.builds(cb.PaidAsk, ids, versions),
        approvals.flatmap(
            lambda said: st.builds(
                cb.Approve,
                ids,
                versions,
                st.just("ship"),
                st.just(cb.INDIVIDUAL),
                phones | st.none(),
                st.just(said[0]),
                st.just(said[1]),
            )
        ),
        approvals.flatmap(
            lambda said: st.builds(
                cb.Approve,
                ids,
                versions,
                st.just("ship"),
                st.sampled_from(["ghn", "ghtk", "viettelpost", "ahamove"]),
                st.none(),
                st.just(said[0]),
                st.just(said[1]),
            )
        ),
    )
)
def test_money_buttons_round_trip_within_64_bytes(callback: cb.Callback) -> None:
    data = cb.encode(callback)
    assert len(data.encode()) <= cb.MAX_BYTES
    assert cb.decode(data) == callback


WORST = 2**53


@pytest.mark.parametrize(
    ("data", "callback"),
    [
        ("pay:12:3", cb.PayMenu(12, 3)),
        ("pay:12:3:transfer", cb.PayPick(12, 3, "transfer")),
        ("paid:12:3", cb.PaidAsk(12, 3)),
        ("ok:12:3:ship:ghn", cb.Approve(12, 3, "ship", "ghn")),
        ("okp:12:3:ship:ghn", cb.Approve(12, 3, "ship", "ghn", risky=False, unpaid=True)),
        ("okrp:12:3:ship:ghn", cb.Approve(12, 3, "ship", "ghn", unpaid=True)),
        (
            f"okrp:{WORST}:{cb.MAX_VERSION}:ship:individual:0912345678",
            cb.Approve(WORST, cb.MAX_VERSION, "ship", "individual", "0912345678", unpaid=True),
        ),
    ],
)
def test_the_money_buttons_grammar(data: str, callback: cb.Callback) -> None:
    assert cb.encode(callback) == data
    assert cb.decode(data) == callback


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("pay:1:2:cash", "unknown payment method 'cash'"),
        ("pay:1:2:cod:x", "takes 3 or 4 fields"),
        ("paid:1:2:100", "takes 3 fields"),
        ("okp:1:2:create_order", "only ship waits for the money"),
        ("okx:1:2:ship:ghn", "unknown button kind 'okx'"),
    ],
)
def test_bad_money_buttons_say_what_is_wrong(data: str, reason: str) -> None:
    with pytest.raises(cb.BadCallback, match=re.escape(reason)):
        cb.decode(data)


def test_an_approval_must_approve_something() -> None:
    with pytest.raises(cb.BadCallback, match="approves something"):
        cb.Approve(1, 1, "ship", "ghn", risky=False, unpaid=False)


def test_the_edit_menu_offers_payment_and_money_received() -> None:
    labels = [b.text for row in edit_keyboard(5, 2).inline_keyboard for b in row]
    assert "💳 Thanh toán" in labels and "💰 Ghi nhận đã nhận tiền" in labels
    data = [b.callback_data for row in edit_keyboard(5, 2).inline_keyboard for b in row]
    assert "pay:5:2" in data and "paid:5:2" in data


def test_the_payment_menu_marks_the_orders_own_way_to_pay() -> None:
    keyboard = payment_keyboard(5, 2, "transfer")
    buttons = [(b.text, b.callback_data) for row in keyboard.inline_keyboard for b in row]
    assert buttons == [
        ("Thu hộ (COD)", "pay:5:2:cod"),
        ("• Chuyển khoản", "pay:5:2:transfer"),
        ("Đặt cọc", "pay:5:2:deposit"),
        ("« Quay lại", "edit:5:2"),
    ]
    english = payment_keyboard(5, 2, "cod", language="en").inline_keyboard
    assert [b.text for b in english[0]] == ["• Cash on delivery", "Bank transfer", "Deposit"]


# ---- what staff type ------------------------------------------------------------------------


@given(st.text(max_size=40), st.sampled_from([DEPOSIT, RECEIVED]))
def test_any_typed_amount_is_money_or_asked_again(typed: str, field: str) -> None:
    """A deposit or money received is read as the COD amount is: an amount within range, or a
    `BadReply` naming what to say; nothing else escapes."""
    order = order_view()
    try:
        value = asyncio.run(read_answer(None, field, typed, order))  # type: ignore[arg-type]
    except BadReply as bad:
        assert bad.key in {"reply.empty", "reply.bad_money", "reply.too_much"}
        return
    if field == RECEIVED:
        assert isinstance(value, PaymentIn) and 0 <= value.amount <= MAX_MONEY
    else:
        assert isinstance(value, OrderChanges) and value.payment_method == "deposit"
        assert value.deposit is not None and 0 <= value.deposit <= MAX_MONEY


@pytest.mark.parametrize(
    ("typed", "amount"), [("100k", 100_000), ("100.000", 100_000), ("1tr", 1_000_000)]
)
def test_amounts_are_typed_as_people_write_them(typed: str, amount: int) -> None:
    value = asyncio.run(read_answer(None, RECEIVED, typed, order_view()))  # type: ignore[arg-type]
    assert value == PaymentIn(amount)
