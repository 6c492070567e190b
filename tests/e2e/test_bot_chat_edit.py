"""Editing, fixing codes, shipping with an individual shipper and printing, all from the group:
taps and replies posted to `/telegram/webhook` by the fake Bot API, the order read back
through `OrderService`, and what the group sees read from the fake."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from application.chat_prompts import prompt_at
from bot import callbacks as cb
from bot.lifecycle import BOT
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from orders.changes import LineInput, OrderChanges
from orders.drafts import NewOrder
from orders.staff import add_staff
from tests.conftest import bot_settings
from tests.e2e.test_bot_taps import GROUP, STAFF, STRANGER, Shop
from tests.factories import BUYER, draft, order_in, seed_items
from tests.factories import STAFF as SOMEONE_ELSE
from tests.fakes.telegram import Message
from tests.helpers import DEADLINE_S, eventually

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def shop(root, fake, aiohttp_client, sqlite_url) -> Shop:
    """No partner carrier: the ship menu is the individual shipper's."""
    settings = bot_settings(
        sqlite_url,
        root,
        shop_name="Shop Mai",
    )
    client = await aiohttp_client(create_app(settings, run_worker=False, run_inbox=False))
    shop = Shop(client, fake)
    runtime = client.server.app[RUNTIME]
    await seed_items(runtime.sessions)
    async with runtime.sessions.begin() as session:
        await add_staff(session, STAFF, "Lan", "sales")
    await asyncio.wait_for(client.server.app[BOT].started.wait(), DEADLINE_S)
    return shop


async def bot_reply_to(shop: Shop, message_id: int, after: int = 0) -> Message:
    """The newest bot message answering `message_id`, newer than message `after`."""

    async def found() -> Message | None:
        replies = [
            m
            for m in shop.fake.bot_messages(GROUP)
            if m.reply_to_message_id == message_id and m.message_id > after
        ]
        return replies[-1] if replies else None

    return await eventually(found, f"the bot's answer to message {message_id}")


async def choose(shop: Shop, card: Message, callback: cb.Callback) -> Message:
    """Tap a menu button on the card, then the prompt the bot posts for it: only a message
    newer than the tap counts, or a second choice on the same card would take the prompt of
    the first (already answered) and wait for an answer that never comes."""
    before = max((m.message_id for m in shop.fake.bot_messages(GROUP)), default=0)
    await shop.tap(STAFF, card, cb.encode(callback))
    prompt = await bot_reply_to(shop, card.message_id, after=before)
    # A person reads the question before answering: by then the bot has recorded it (it posts
    # the prompt first, since the record holds the message's id).

    async def recorded() -> bool:
        return await prompt_at(shop.orders, GROUP, prompt.message_id) is not None

    await eventually(recorded, "the prompt recorded")
    return prompt


async def reply(shop: Shop, prompt: Message, typed: str, user: int = STAFF) -> Message:
    """Answer the bot's prompt as a member of the group; returns the bot's answer."""
    update = shop.fake.reply_update(shop.fake.user(user), GROUP, prompt.message_id, typed)
    await shop.post(update)
    return await bot_reply_to(shop, update["message"]["message_id"])


async def test_a_bad_phone_is_asked_again_and_a_good_one_is_saved(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)

    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "phone"))
    assert "số điện thoại" in (prompt.text or "")
    assert shop.fake.calls_of("sendMessage")[-1].params["reply_markup"]["force_reply"] is True

    again = await reply(shop, prompt, "12345")
    assert "'12345' không phải số điện thoại" in (again.text or "")
    assert (await shop.order(order.id)).version == order.version

    saved = await reply(shop, again, "+84 987.654.321")
    assert saved.text == f"✅ Đã lưu Số điện thoại của đơn {order.code}"
    now = await shop.order(order.id)
    assert now.customer.phone == "0987654321"
    assert now.version == order.version + 1

    # The same prompt answered twice changes nothing twice: it is forgotten once answered.
    update = shop.fake.reply_update(shop.fake.user(STAFF), GROUP, again.message_id, "0911222333")
    await shop.post(update)
    assert (await shop.order(order.id)).customer.phone == "0987654321"


async def test_items_are_typed_in_the_comment_grammar(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "items"))

    refused = await reply(shop, prompt, "Z9 1")
    assert "Z9" in (refused.text or "") and "A1, B3" in (refused.text or "")

    await reply(shop, refused, "a1 3, B3 1")
    lines = (await shop.order(order.id)).lines
    assert [(line.code, line.quantity) for line in lines] == [("A1", 3), ("B3", 1)]
    assert all(line.sku for line in lines)


async def test_an_address_is_matched_to_the_official_ward_and_province(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "address"))

    unknown = await reply(shop, prompt, "12 Lý Tự Trọng, phường Cửa Nan, Hà Nội")
    assert "Phường Cửa Nam" in (unknown.text or "")  # the nearest ward is suggested

    await reply(shop, unknown, "45 nguyen hue, p. ben thanh, tp hcm")
    customer = (await shop.order(order.id)).customer
    assert customer.address == "45 nguyen hue"
    assert customer.ward == "Phường Bến Thành"
    assert customer.province == "Thành phố Hồ Chí Minh"


async def test_cod_and_fee_take_what_people_type(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "shipping_fee"))
    await reply(shop, prompt, "25k")
    order = await shop.order(order.id)

    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "cod"))
    await reply(shop, prompt, "1tr2")

    now = await shop.order(order.id)
    assert (now.shipping_fee, now.cod_amount) == (25_000, 1_200_000)


async def test_a_reply_after_someone_else_changed_the_order_is_asked_again(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "name"))
    await shop.orders.act(
        order.id,
        "edit",
        actor=SOMEONE_ELSE,
        version=order.version,
        changes=OrderChanges(note="gọi trước"),
    )

    again = await reply(shop, prompt, "Trần Văn Nam")
    assert "sửa ở nơi khác" in (again.text or "")
    assert (await shop.order(order.id)).customer.name != "Trần Văn Nam"

    await reply(shop, again, "Trần Văn Nam")
    now = await shop.order(order.id)
    assert (now.customer.name, now.note) == ("Trần Văn Nam", "gọi trước")


async def test_a_stranger_answering_a_prompt_changes_nothing(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    prompt = await choose(shop, card, cb.EditPick(order.id, order.version, "name"))

    answer = await reply(shop, prompt, "Kẻ Lạ", user=STRANGER)

    assert answer.text == "Chỉ nhân viên mới thao tác được"
    assert (await shop.order(order.id)).version == order.version


async def test_an_unknown_code_is_fixed_by_picking_one_of_the_codes(shop: Shop):
    lines = [LineInput(quantity=1, code="Z9"), LineInput(quantity=2, code="B3", unit_price=1)]
    new = NewOrder(buyer=BUYER, lines=lines, source="facebook")  # a comment's unknown code
    order = await shop.orders.create_draft(new, SOMEONE_ELSE)
    unknown = next(line for line in order.lines if line.code == "Z9")
    assert unknown.sku is None
    card = await shop.card(order)

    await shop.tap(STAFF, card, cb.encode(cb.EditMenu(order.id, order.version)))
    fix = cb.FixMenu(order.id, order.version, unknown.id)
    menu = await menu_with(shop, card, cb.encode(fix))
    await shop.tap(STAFF, menu, cb.encode(fix))
    picker = await menu_with(shop, card, cb.encode(cb.FixCode(*fixed(fix), "A1")))
    answer = await shop.tap(STAFF, picker, cb.encode(cb.FixCode(*fixed(fix), "A1")))

    assert answer["text"] == f"Đã đổi mã thành A1 trong đơn {order.code}"
    now = await shop.order(order.id)
    assert [(line.code, line.sku, line.unit_price) for line in now.lines] == [
        ("A1", "AO-001", 150_000),
        ("B3", "QUAN-002", 1),  # the other line keeps its price
    ]


def fixed(menu: cb.FixMenu) -> tuple[int, int, int]:
    return menu.order_id, menu.version, menu.line_id


async def menu_with(shop: Shop, card: Message, data: str) -> Message:
    async def shown() -> Message | None:
        message = shop.fake.message(GROUP, card.message_id)
        return message if message and data in message.callback_data else None

    return await eventually(shown, f"a menu with {data}")


async def test_an_individual_shipper_is_typed_once_then_offered_again(shop: Shop):
    first = await order_in(shop.orders, "waiting_for_shipping")
    card = await shop.card(first)
    prompt = await choose(shop, card, cb.ShipPick(first.id, first.version, "individual"))
    refused = await reply(shop, prompt, "Anh Tuấn")
    assert "tên và số điện thoại" in (refused.text or "")

    shipped = await reply(shop, refused, "Anh Tuấn 0987 654 321")

    assert shipped.text == f"✅ Đã gửi đơn {first.code} cho Anh Tuấn"
    now = await shop.order(first.id)
    assert now.status == "shipping"
    assert (now.shipper.name, now.shipper.phone) == ("Anh Tuấn", "0987654321")

    second = await order_in(shop.orders, "waiting_for_shipping")
    card = await shop.card(second)
    await shop.tap(STAFF, card, cb.encode(cb.ShipMenu(second.id, second.version)))
    recent = cb.ShipPick(second.id, second.version, "individual", "0987654321")
    menu = await menu_with(shop, card, cb.encode(recent))
    assert any(b["text"] == "🛵 Anh Tuấn · 0987654321" for b in menu.buttons)

    await shop.tap(STAFF, menu, cb.encode(recent))
    assert (await shop.order(second.id)).shipper.phone == "0987654321"


async def test_print_replies_with_a_photo_and_a_pdf(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await shop.card(order)

    answer = await shop.tap(STAFF, card, f"print_bill:{order.id}:{order.version}")
    assert answer["text"] == "Đang in…"

    async def both() -> list[Any] | None:
        photos = shop.fake.calls_of("sendPhoto")
        documents = shop.fake.calls_of("sendDocument")
        return [photos[-1], documents[-1]] if photos and documents else None

    photo, document = await eventually(both, "the bill as a photo and as a file")
    assert photo.ok and document.ok
    png, pdf = photo.params["photo"], document.params["document"]
    assert png.data.startswith(PNG_MAGIC)
    assert pdf.data.startswith(b"%PDF") and pdf.filename == f"{order.code}-bill.pdf"
    for call in (photo, document):
        assert call.params["caption"] == f"Hóa đơn {order.code}"
        assert call.params["reply_parameters"]["message_id"] == card.message_id
    assert (await shop.order(order.id)).version == order.version  # printing reads only
