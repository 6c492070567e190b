"""What staff read about batches and empty drafts, without a database: the bot's card of a
draft with no line, a batch's chat summary, and a result's JSON as the API gives it."""

from __future__ import annotations

from application.batch import DONE, STOPPED, BatchView, Result
from bot.batch_command import summary
from bot.cards import card_text
from tests.order_views import order_row


def test_a_draft_with_no_line_is_not_called_prepaid():
    empty = card_text(order_row(lines=(), cod_amount=0), language="vi")
    assert "Chưa có sản phẩm" in empty and "Đã thanh toán trước" not in empty
    prepaid = card_text(order_row(cod_amount=0), language="vi")
    assert "Đã thanh toán trước" in prepaid


def _view(*results: Result, state: str = DONE, total: int | None = None) -> BatchView:
    count = len(results) if total is None else total
    return BatchView(1, "complete", count, len(results), state, "Lan", results)


def test_the_chat_summary_says_done_n_and_each_refusal_with_its_reason():
    view = _view(
        Result(1, True, "complete", 3, code="DH000001"),
        Result(
            2,
            False,
            error="stale_version",
            message="Đơn DH000002 vừa được thay đổi.",
            code="DH000002",
        ),
    )
    said = summary(view, "Hoàn thành", "vi", ["DH9"])
    assert said.splitlines() == [
        "✅ Hoàn thành: xong 1/2 đơn.",
        "Không làm được 2 đơn:",
        "• Không có đơn DH9.",
        "• <b>DH000002</b>: Đơn DH000002 vừa được thay đổi.",
    ]
    stopped = summary(
        _view(Result(1, True, "complete", 3), state=STOPPED, total=5), "Done", "en", []
    )
    assert stopped == "⏹ Done: stopped part way, at 1/5 orders."


def test_a_summary_of_many_refusals_fits_one_message():
    refused = [
        Result(i, False, error="x", message="lý do " * 40, code=f"DH{i:06}") for i in range(300)
    ]
    said = summary(_view(*refused), "Hủy", "vi", [])
    assert len(said) <= 4096 and "… và" in said


def test_results_are_the_contract_s_shape():
    assert Result(7, True, "shipping", 4).as_json() == {
        "id": 7,
        "ok": True,
        "status": "shipping",
        "version": 4,
    }
    refused = Result(8, False, error="not_found", message="Không có đơn 8.")
    assert refused.as_json() == {
        "id": 8,
        "ok": False,
        "error": "not_found",
        "message": "Không có đơn 8.",
    }
    assert Result.of_json(refused.as_json()) == refused
