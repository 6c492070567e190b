"""Keyboards staff tap: exactly the allowed actions, the right order and version behind every
button, and nothing Telegram would refuse (64-byte data, 100 buttons)."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup

from bot import callbacks as cb
from bot.keyboards import (
    card_keyboard,
    digest_keyboard,
    edit_keyboard,
    fix_code_keyboard,
    orders_keyboard,
    ship_keyboard,
)
from carriers.base import Quote
from orders.lifecycle import PRINT_ACTIONS, Action, Status, allowed_actions
from orders.views import OrderRow
from tests.order_views import order_row

BIG_ID = 2**53
BIG_VERSION = 10**9


def buttons(markup: InlineKeyboardMarkup) -> list[tuple[str, cb.Callback]]:
    """Every button as (text, decoded data), checking Telegram's limits on the way."""
    out = []
    assert sum(len(row) for row in markup.inline_keyboard) <= 100
    for row in markup.inline_keyboard:
        assert 1 <= len(row) <= 8
        for key in row:
            assert isinstance(key.callback_data, str)
            assert len(key.callback_data.encode()) <= 64
            out.append((key.text, cb.decode(key.callback_data)))
    return out


def order(status: Status, order_id: int = 42, version: int = 7) -> OrderRow:
    return order_row(id=order_id, version=version, status=status.value)


def tapped_action(callback: cb.Callback) -> Action:
    if isinstance(callback, cb.ShipMenu):
        return Action.SHIP
    if isinstance(callback, cb.EditMenu):
        return Action.EDIT
    assert isinstance(callback, cb.ActionTap)
    return callback.action


EXPECTED = {
    Status.DRAFT: ["Sửa", "Tạo đơn", "Chuyển cửa hàng", "Giao hàng", "Hủy"],
    Status.WAITING_FOR_SHIPPING: ["Sửa", "Chuyển cửa hàng", "Giao hàng", "Hủy"],
    Status.SHIPPING: ["Hoàn thành", "Giao thất bại", "Hủy"],
    Status.WAIT_FOR_COD: ["Thu COD"],
    Status.FAILED_TO_SHIP: ["Hoàn hàng"],
    Status.COMPLETE: [],
    Status.RETURNED: [],
    Status.CANCELLED: [],
    Status.SENT_TO_SHOP: [],
}


@pytest.mark.parametrize("status", list(Status))
def test_card_offers_exactly_the_allowed_actions(status: Status) -> None:
    keys = buttons(card_keyboard(order(status, BIG_ID, BIG_VERSION)))
    offered = [tapped_action(callback) for _, callback in keys]
    assert set(offered) == set(allowed_actions(status)) - {Action.SAVE_DRAFT}
    assert len(offered) == len(set(offered))
    for _, callback in keys:
        assert callback.order_id == BIG_ID
        assert callback.version == BIG_VERSION
    texts = [text for text, _ in keys]
    assert texts == [*EXPECTED[status], "In hóa đơn", "In phiếu giao"]


@pytest.mark.parametrize("status", list(Status))
def test_card_rows_hold_at_most_three_and_prints_come_last(status: Status) -> None:
    markup = card_keyboard(order(status), language="en")
    assert all(len(row) <= 3 for row in markup.inline_keyboard)
    last = [cb.decode(key.callback_data) for key in markup.inline_keyboard[-1]]
    assert {c.action for c in last if isinstance(c, cb.ActionTap)} == set(PRINT_ACTIONS)
    assert [key.text for key in markup.inline_keyboard[-1]] == ["Print bill", "Print shipping note"]


def test_card_keyboard_is_a_pure_function_of_the_order() -> None:
    assert card_keyboard(order(Status.DRAFT)) == card_keyboard(order(Status.DRAFT))
    newer = buttons(card_keyboard(order(Status.DRAFT, version=8)))
    assert {c.version for _, c in newer} == {8}


def test_ship_menu_lists_carriers_cheapest_first_then_individual_shippers() -> None:
    quotes = [Quote("ghtk", 32000), Quote("ghn", 25000), Quote("viettelpost", 41500)]
    recent = [("Anh Tuấn", "0987654321"), ("Chị Hà", "0911222333")]
    keys = buttons(ship_keyboard(42, 7, quotes, recent))
    assert [text for text, _ in keys] == [
        "GHN · 25.000 đ",
        "GHTK · 32.000 đ",
        "Viettel Post · 41.500 đ",
        "Shipper riêng (nhập tên, SĐT)",
        "🛵 Anh Tuấn · 0987654321",
        "🛵 Chị Hà · 0911222333",
        "« Quay lại",
    ]
    assert [c for _, c in keys] == [
        cb.ShipPick(42, 7, "ghn"),
        cb.ShipPick(42, 7, "ghtk"),
        cb.ShipPick(42, 7, "viettelpost"),
        cb.ShipPick(42, 7, "individual"),
        cb.ShipPick(42, 7, "individual", "0987654321"),
        cb.ShipPick(42, 7, "individual", "0911222333"),
        cb.Back(42, 7),
    ]


def test_ship_menu_without_carriers_still_offers_an_individual_shipper() -> None:
    keys = buttons(ship_keyboard(BIG_ID, BIG_VERSION, [], language="en"))
    assert [text for text, _ in keys] == ["Individual shipper (enter name, phone)", "« Back"]


def test_edit_menu_has_every_field() -> None:
    keys = buttons(edit_keyboard(BIG_ID, BIG_VERSION))
    picks = [c for _, c in keys if isinstance(c, cb.EditPick)]
    assert [p.field for p in picks] == list(cb.EDIT_FIELDS)
    assert [t for t, _ in keys][:3] == ["Sản phẩm", "Tên khách", "Số điện thoại"]
    assert keys[-1][1] == cb.Back(BIG_ID, BIG_VERSION)


def test_unknown_code_picker_offers_the_session_codes_for_that_line() -> None:
    codes = [("A1", "Áo thun trắng"), ("B3", "Quần jean"), ("C-TOO-LONG-CODE", "x"), ("D4", "")]
    keys = buttons(fix_code_keyboard(BIG_ID, BIG_VERSION, 991, codes))
    assert [t for t, _ in keys] == ["A1 · Áo thun trắng", "B3 · Quần jean", "D4", "« Quay lại"]
    assert keys[0][1] == cb.FixCode(BIG_ID, BIG_VERSION, 991, "A1")


def test_unknown_code_picker_never_exceeds_one_keyboard() -> None:
    codes = [(f"A{n}", f"Sản phẩm {n}") for n in range(300)]
    keys = buttons(fix_code_keyboard(1, 1, 1, codes))
    assert len(keys) == 100 and keys[-1][1] == cb.Back(1, 1)


def test_orders_tabs_mark_the_current_one_count_and_page() -> None:
    listed = [(101, "CD000101 · Lan"), (100, "CD000100 · Hoa")]
    page = cb.ListPage("shipping", 120)
    counts = {"draft": 3, "shipping": 12}
    markup = orders_keyboard(page, listed, counts=counts, previous=0, next_before=100)
    keys = buttons(markup)
    tabs = keys[: len(cb.TABS)]
    assert all(isinstance(c, cb.ListPage) and c.before == 0 for _, c in tabs)
    assert [c.tab for _, c in tabs] == list(cb.TABS)
    assert [t for t, _ in tabs][:3] == ["Tất cả (15)", "Nháp (3)", "Chờ vận chuyển (0)"]
    assert [t for t, c in tabs if t.startswith("•")] == ["• Đang vận chuyển (12)"]
    assert [c for _, c in keys if isinstance(c, cb.OpenCard)] == [
        cb.OpenCard(101),
        cb.OpenCard(100),
    ]
    assert [t for t, _ in keys][-3:] == ["‹ Trước", "Sau ›", "Đóng"]
    assert [c for _, c in keys][-3:] == [
        cb.ListPage("shipping", 0),
        cb.ListPage("shipping", 100),
        cb.Close(),
    ]


def test_every_tab_and_paging_button_keeps_the_filters() -> None:
    page = cb.ListPage("draft", 50, staff=3, live=7)
    keys = buttons(orders_keyboard(page, [], counts={}, previous=80, next_before=40))
    pages = [c for _, c in keys if isinstance(c, cb.ListPage)]
    assert len(pages) == len(cb.TABS) + 2
    assert all((c.staff, c.live) == (3, 7) for c in pages)
    assert [c.before for c in pages[-2:]] == [80, 40]


def test_first_and_last_page_have_no_dead_paging_buttons() -> None:
    markup = orders_keyboard(
        cb.ListPage("all"), [], counts={}, previous=None, next_before=None, language="en"
    )
    keys = buttons(markup)
    assert [t for t, _ in keys][-1:] == ["Close"]
    assert "‹ Previous" not in [t for t, _ in keys] and "Next ›" not in [t for t, _ in keys]
    assert keys[0][0] == "• All (0)"


def test_digest_opens_each_drafts_card() -> None:
    keys = buttons(digest_keyboard([(n, f"CD{n:06d}") for n in range(1, 31)]))
    assert [c for _, c in keys] == [cb.OpenCard(n) for n in range(1, 31)]
    with pytest.raises(ValueError, match="at most 100"):
        digest_keyboard([(n, "x") for n in range(1, 102)])


def test_long_or_odd_labels_are_cut_and_cleaned() -> None:
    recent = [("Anh\nTuấn " + "rất dài " * 20, "0987654321")]
    (text, _), *_ = buttons(ship_keyboard(1, 1, [], recent))[1:]
    assert "\n" not in text and len(text) <= 40 and text.endswith("…")
