"""Risky buyers and buyer memory in the staff group: the card says what was filled from the
last order and that a buyer is flagged; a flagged buyer's order asks "go on?" before it is
created; staff flag a buyer from the edit menu by answering a prompt. Taps and replies go
through `/telegram/webhook` from the fake Bot API, as in `test_bot_chat_edit` (whose `shop`
fixture this uses)."""

# ruff: noqa: F811

from __future__ import annotations

from application import customers
from bot import callbacks as cb
from orders.drafts import Buyer
from tests.e2e.test_bot_chat_edit import choose, reply, shop  # noqa: F401 (fixture)
from tests.e2e.test_bot_taps import STAFF, Shop, actions_in, data_of
from tests.factories import BUYER, draft
from tests.factories import STAFF as SOMEONE


async def test_a_flagged_buyer_s_order_is_created_only_after_yes(shop: Shop):
    order = await draft(shop.orders)
    await customers.flag_order_buyer(shop.orders, order.id, True, "bom hàng 2 lần", SOMEONE)
    order = await shop.order(order.id)
    card = await shop.card(order)
    assert "🚩 Khách bị gắn cờ: bom hàng 2 lần" in (card.text or "")

    asked = await shop.tap(STAFF, card, data_of(card, "create_order"))
    assert asked["show_alert"] is True
    assert asked["text"] == "Khách bị gắn cờ: bom hàng 2 lần. Vẫn tạo đơn?"
    assert (await shop.order(order.id)).status == "draft"
    menu = shop.fake.message(card.chat_id, card.message_id)
    assert menu is not None
    assert [b["text"] for b in menu.buttons] == ["Có, vẫn tạo đơn", "Không"]

    # "No" gives the card its buttons back, nothing done
    await shop.tap(STAFF, menu, cb.encode(cb.Back(order.id, order.version)))
    assert (await shop.order(order.id)).status == "draft"

    done = await shop.tap(
        STAFF, menu, cb.encode(cb.Approve(order.id, order.version, "create_order"))
    )
    assert done["text"] == f"Đã tạo đơn {order.code}"
    now = await shop.order(order.id)
    assert now.status == "waiting_for_shipping"
    [event] = actions_in(now, "create_order")
    assert event.details["approved_risky"] is True


async def test_staff_flag_a_buyer_from_the_edit_menu_with_a_reason(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    await shop.tap(STAFF, card, cb.encode(cb.EditMenu(order.id, order.version)))
    menu = shop.fake.message(card.chat_id, card.message_id)
    assert menu is not None and "🚩 Gắn cờ khách" in [b["text"] for b in menu.buttons]

    prompt = await choose(shop, card, cb.FlagAsk(order.id, order.version))
    assert "lý do gắn cờ" in (prompt.text or "")
    answer = await reply(shop, prompt, "Hủy 3 đơn liền")
    assert answer.text == f"🚩 Đã gắn cờ khách của đơn {order.code}"
    record = await customers.customer(shop.orders, order.customer.id or 0)
    assert (record.flagged, record.flag_reason) == (True, "Hủy 3 đơn liền")

    await shop.tap(STAFF, card, cb.encode(cb.Unflag(order.id, order.version)))
    assert not (await customers.customer(shop.orders, order.customer.id or 0)).flagged


async def test_a_returning_buyer_s_card_says_what_came_from_the_last_order(shop: Shop):
    await draft(shop.orders)
    again = await draft(shop.orders, buyer=Buyer(phone=BUYER.phone))
    card = await shop.card(again)
    text = card.text or ""
    assert "Nguyễn Thị Hoa (theo đơn trước)" in text
    assert "12 Lý Thường Kiệt, Phường Cửa Nam, Thành phố Hà Nội (theo đơn trước)" in text
    answer = await shop.tap(STAFF, card, data_of(card, "create_order"))
    assert answer["text"] == f"Đã tạo đơn {again.code}"  # one tap: nothing to type
