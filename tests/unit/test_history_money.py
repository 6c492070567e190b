"""Money in an order's history, as the bot and the pages both read it: money received, the
way to pay changed, shipped before the money came in, COD settled by a carrier's statement.
Pure."""

from __future__ import annotations

import pytest

from application.wording.history import history_line
from tests.order_views import event

BANK = event(
    "record_payment",
    actor="Ngân hàng",
    source="bank",
    from_status="waiting_for_shipping",
    to_status="waiting_for_shipping",
    details={"amount": 200_000, "paid": 350_000, "due": 0, "payment_id": 7, "reference": "FT123"},
)
BY_HAND = event(
    "record_payment",
    from_status="draft",
    to_status="draft",
    details={"amount": 370_000, "paid": 370_000, "due": -20_000, "overpaid": 20_000},
)
METHOD = event(
    "edit",
    from_status="draft",
    to_status="draft",
    details={
        "fields": ["payment_method", "deposit"],
        "payment": [["cod", 0], ["deposit", 100_000]],
    },
)
UNPAID = event(
    "ship",
    from_status="waiting_for_shipping",
    to_status="shipping",
    details={"shipper": "individual", "approved_unpaid": True, "awaited": 150_000},
)
SETTLED = event(
    "collect_cod",
    actor="GHN",
    source="system",
    from_status="wait_for_cod",
    to_status="complete",
    details={"statement_id": 4, "fee": 15_000, "paid_at": "2026-03-14"},
)


@pytest.mark.parametrize(
    ("event", "language", "said"),
    [
        (
            BANK,
            "vi",
            "Nhận tiền · Nhận 200.000 đ (Ngân hàng, mã GD FT123): đã nhận 350.000 đ, còn 0 đ",
        ),
        (
            BANK,
            "en",
            "Payment received · Received 200.000 đ (Bank, transaction FT123): 350.000 đ"
            " received in all, 0 đ left",
        ),
        (
            BY_HAND,
            "vi",
            "Nhận tiền · Nhận 370.000 đ (ghi tay): đã nhận 370.000 đ, còn -20.000 đ"
            " · Khách chuyển thừa 20.000 đ",
        ),
        (
            BY_HAND,
            "en",
            "Payment received · Received 370.000 đ (recorded by hand): 370.000 đ received in"
            " all, -20.000 đ left · The buyer sent 20.000 đ too much",
        ),
        (
            METHOD,
            "vi",
            "Sửa: cách thanh toán, tiền cọc · Thanh toán: Thu hộ (COD) → Đặt cọc 100.000 đ",
        ),
        (
            METHOD,
            "en",
            "Edit: payment method, deposit · Payment: Cash on delivery → Deposit 100.000 đ",
        ),
        (
            UNPAID,
            "vi",
            "Giao hàng: Chờ vận chuyển → Đang vận chuyển"
            " · Giao khi chưa nhận đủ tiền (còn chờ 150.000 đ) · Vận chuyển: Shipper riêng",
        ),
        (
            UNPAID,
            "en",
            "Ship: Waiting for shipping → Shipping"
            " · Shipped before the money came in (150.000 đ still awaited)"
            " · Shipper: Individual shipper",
        ),
        (
            SETTLED,
            "vi",
            "Thu COD: Chờ thu hộ (COD) → Hoàn thành"
            " · Theo bảng đối soát #4, phí hãng giữ 15.000 đ, hãng trả ngày 2026-03-14",
        ),
        (
            SETTLED,
            "en",
            "Collect COD: Wait for COD → Complete"
            " · From COD statement #4, carrier fee kept 15.000 đ, paid out on 2026-03-14",
        ),
    ],
)
def test_money_reads_as_sentences_in_the_shops_language(event, language, said):
    assert history_line(event, language).text == said


def test_a_statement_without_a_fee_says_only_where_it_came_from():
    quiet = event("collect_cod", details={"statement_id": 9, "fee": 0, "paid_at": ""})
    assert history_line(quiet, "vi").details == ("Theo bảng đối soát #9",)


def test_a_method_changed_back_to_cod_names_no_deposit():
    back = event("edit", details={"payment": [["transfer", 0], ["cod", 0]]})
    assert history_line(back, "vi").details == ("Thanh toán: Chuyển khoản → Thu hộ (COD)",)


def test_a_flagged_buyer_approved_is_said_in_words():
    approved = event(
        "create_order", details={"approved_risky": True, "flag_reason": "bom hàng 2 lần"}
    )
    assert history_line(approved, "vi").details == (
        "Khách bị gắn cờ, đã xác nhận vẫn làm",
        "Lý do gắn cờ: bom hàng 2 lần",
    )


def test_money_details_of_an_odd_shape_still_show_their_words():
    odd = event("edit", details={"payment": "cod"})
    assert history_line(odd, "vi").details == ("payment: cod",)
