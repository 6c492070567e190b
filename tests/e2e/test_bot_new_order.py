"""`/new` and the prices of an order, from the group: a real `chotdon` app with its bot, the
commands, replies and taps posted by the fake Bot API, the orders read back through
`OrderService`, and what the group sees read from the fake."""

from __future__ import annotations

from bot import callbacks as cb
from bot.cards import card_text
from orders.queries import OrderFilter
from tests.e2e import test_bot_chat_edit as chat
from tests.e2e.test_bot_chat_edit import bot_reply_to, choose, reply
from tests.e2e.test_bot_taps import GROUP, STAFF, Shop
from tests.factories import draft
from tests.fakes.telegram import Message
from tests.helpers import eventually

shop = chat.shop  # the fixture: the app, its bot, the catalog and a staff member


async def command(shop: Shop, words: str) -> Message:
    update = shop.fake.text_update(shop.fake.user(STAFF), GROUP, words)
    await shop.post(update)
    return await bot_reply_to(shop, update["message"]["message_id"])


def data_of(message: Message) -> list[str]:
    return [button["callback_data"] for button in message.buttons]


async def tap_and_wait(shop: Shop, message: Message, data: str) -> Message:
    """Tap a button of `message`; the bot's next message answering it."""
    before = max((m.message_id for m in shop.fake.bot_messages(GROUP)), default=0)
    await shop.tap(STAFF, message, data)
    return await bot_reply_to(shop, message.message_id, after=before)


async def test_a_known_buyer_s_order_taken_by_phone(shop: Shop) -> None:
    await draft(shop.orders)  # Nguyễn Thị Hoa, 0912345678, is on file
    asked = await command(shop, "/new")
    assert "số điện thoại khách" in (asked.text or "")
    assert shop.fake.calls_of("sendMessage")[-1].params["reply_markup"]["force_reply"] is True

    again = await reply(shop, asked, "12345")
    assert "'12345' không phải số điện thoại" in (again.text or "")
    known = await reply(shop, again, "0912 345 678")
    assert "Khách quen" in (known.text or "") and "Nguyễn Thị Hoa" in (known.text or "")
    assert "12 Lý Thường Kiệt" in (known.text or "")
    keep, change = data_of(known)
    assert keep.endswith(":keep") and change.endswith(":change")

    items = await tap_and_wait(shop, known, keep)
    assert "A1 2, B3 1" in (items.text or "")
    refused = await reply(shop, items, "Z9 1")
    assert "Z9" in (refused.text or "")
    summary = await reply(shop, refused, "a1 2, B3 1")
    said = summary.text or ""
    assert "Nguyễn Thị Hoa" in said and "0912345678" in said
    assert "Tổng cộng: 620.000 đ" in said
    create, _ = data_of(summary)
    assert cb.decode(create) == cb.NewOrderTap(cb.decode(create).dialogue_id, "create")

    answer = await shop.tap(STAFF, summary, create)
    assert "Đã tạo đơn nháp DH" in answer["text"]

    async def made():
        orders = (await shop.orders.list_orders(OrderFilter(q="0912345678"))).orders
        return next((o for o in orders if o.source == "manual" and o.staff), None)

    order = await eventually(made, "the manual draft")
    assert order.status == "draft" and order.customer.name == "Nguyễn Thị Hoa"
    assert [(ln.code, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("A1", 2, 150_000),
        ("B3", 1, 320_000),
    ]
    assert order.customer.address == "12 Lý Thường Kiệt"

    twice = await shop.tap(STAFF, summary, create)  # a second tap, on a stale copy
    assert "đã được tạo hoặc đã huỷ" in twice["text"]


async def test_a_new_buyer_is_asked_name_and_address_and_can_cancel(shop: Shop) -> None:
    asked = await command(shop, "/new")
    name = await reply(shop, asked, "0987 111 222")
    assert "tên khách" in (name.text or "")
    address = await reply(shop, name, "Trần Văn Bình")
    assert "địa chỉ" in (address.text or "")
    items = await reply(shop, address, "45 nguyen hue, p. ben thanh, tp hcm")
    summary = await reply(shop, items, "B3 1")
    said = summary.text or ""
    assert "Trần Văn Bình" in said and "Phường Bến Thành" in said
    _, cancel = data_of(summary)
    answer = await shop.tap(STAFF, summary, cancel)
    assert "Đã huỷ" in answer["text"]
    orders = (await shop.orders.list_orders(OrderFilter(q="0987111222"))).orders
    assert orders == ()


async def test_new_is_in_help(shop: Shop) -> None:
    helped = await command(shop, "/help")
    assert "/new" in (helped.text or "")


async def test_discount_and_price_prompts(shop: Shop) -> None:
    order = await draft(shop.orders)  # 2 x A1 at 150.000, 30.000 shipping
    card = await shop.card(order)

    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "discount"))
    assert "giảm giá" in (prompt.text or "")
    too_much = await reply(shop, prompt, "400k")
    assert "Giảm giá 400.000 ₫ lớn hơn tiền hàng 300.000 ₫" in (too_much.text or "")
    saved = await reply(shop, too_much, "50k")
    assert saved.text == f"✅ Đã lưu Giảm giá của đơn {order.code}"
    now = await shop.order(order.id)
    assert (now.discount, now.total, now.cod_amount) == (50_000, 280_000, 280_000)

    prompt = await choose(shop, card, cb.EditPick(now.id, now.version, "price"))
    unknown = await reply(shop, prompt, "B3 100k")
    assert "B3" in (unknown.text or "") and "A1" in (unknown.text or "")
    await reply(shop, unknown, "A1 1tr2")
    repriced = await shop.order(order.id)
    assert repriced.lines[0].unit_price == 1_200_000
    assert (repriced.total, repriced.cod_amount) == (2_380_000, 2_380_000)
    details = repriced.events[-1].details
    assert details["prices"] == [{"code": "A1", "from": 150_000, "to": 1_200_000}]
    assert "🏷 Giảm giá: -50.000 đ" in card_text(repriced, language="vi")
