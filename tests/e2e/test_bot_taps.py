"""Staff tapping a card's buttons, end to end: the fake Bot API posts the tap to the service's
`/telegram/webhook`, the bot answers the callback query and moves the order through
`OrderService`, or refuses with an alert and changes nothing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from telegram.constants import ParseMode

from application.services import OrderService
from bot import callbacks as cb
from bot.cards import card_text
from bot.keyboards import card_keyboard
from bot.lifecycle import BOT
from bot.strings import text
from bot.webhook import SECRET_HEADER
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from orders.actors import Actor
from orders.lifecycle import Action
from orders.staff import add_staff
from orders.views import EventView, OrderView
from tests.conftest import GROUP, SECRET, bot_settings
from tests.factories import BUYER, draft, order_in, seed_items
from tests.fakes.ghn import FakeGhn
from tests.fakes.telegram import FakeTelegram, Message
from tests.helpers import DEADLINE_S, eventually

STAFF = 1001
OTHER_STAFF = 1002
STRANGER = 2002


class Shop:
    def __init__(self, client: TestClient, fake: FakeTelegram) -> None:
        self.client = client
        self.fake = fake
        self.app = client.server.app
        self.orders: OrderService = self.app[RUNTIME].orders

    async def card(self, order: OrderView) -> Message:
        """The order's card as the bot would post it."""
        sent = await self.app[BOT].application.bot.send_message(
            GROUP,
            card_text(order),
            parse_mode=ParseMode.HTML,
            reply_markup=card_keyboard(order),
        )
        message = self.fake.message(GROUP, sent.message_id)
        assert message is not None
        return message

    def tap_update(self, user: int, message: Message, data: str) -> dict[str, Any]:
        return self.fake.callback_update(self.fake.user(user), GROUP, message.message_id, data)

    async def post(self, update: dict[str, Any]) -> None:
        answer = await self.client.post(
            "/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
        )
        assert answer.status == 200

    async def answer_to(self, update: dict[str, Any]) -> dict[str, Any]:
        query_id = update["callback_query"]["id"]

        async def answered() -> dict[str, Any] | None:
            return self.fake.callback_answers.get(query_id)

        return await eventually(answered, f"the answer to query {query_id}")

    async def tap(self, user: int, message: Message, data: str) -> dict[str, Any]:
        update = self.tap_update(user, message, data)
        await self.post(update)
        return await self.answer_to(update)

    async def order(self, order_id: int) -> OrderView:
        return await self.orders.detail(order_id)


@pytest.fixture
async def ghn_url(aiohttp_server) -> str:
    """GHN on loopback, so the ship menu's quote is asked of a fake, never of GHN."""
    server = await aiohttp_server(FakeGhn(token="ghn-token", shop_id=1).app())
    return str(server.make_url("/shiip/public-api"))


@pytest.fixture
async def shop(root, fake, ghn_url, aiohttp_client, sqlite_url) -> Shop:
    settings = bot_settings(
        sqlite_url,
        root,
        ghn_token="ghn-token",
        ghn_shop_id=1,
        ghn_api_url=ghn_url,
        shop_name="Shop Mai",
        shop_phone="0912345678",
        shop_address="12 Lý Tự Trọng, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
    )
    client = await aiohttp_client(create_app(settings, run_worker=False, run_inbox=False))
    shop = Shop(client, fake)
    runtime = client.server.app[RUNTIME]
    await seed_items(runtime.sessions)
    async with runtime.sessions.begin() as session:
        await add_staff(session, STAFF, "Lan", "sales")
        await add_staff(session, OTHER_STAFF, "Minh", "cashier")
    bot = client.server.app[BOT]
    await asyncio.wait_for(bot.started.wait(), DEADLINE_S)
    return shop


def data_of(message: Message, action: str) -> str:
    [data] = [d for d in message.callback_data if d.split(":")[0] == action and d.count(":") == 2]
    return data


def actions_in(order: OrderView, action: str) -> list[EventView]:
    return [event for event in order.events if event.action == action]


async def test_a_staff_tap_creates_the_order_and_is_answered_briefly(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)

    answer = await shop.tap(STAFF, card, data_of(card, "create_order"))

    now = await shop.order(order.id)
    assert now.status == "waiting_for_shipping"
    assert now.version == order.version + 1
    assert answer["text"] == f"Đã tạo đơn {order.code}"
    assert not answer.get("show_alert")
    [event] = actions_in(now, "create_order")
    assert event.source == "staff" and event.actor == "Lan"


async def test_a_staff_tap_completes_a_shipping_order(shop: Shop):
    order = await order_in(shop.orders, "shipping")
    card = await shop.card(order)

    answer = await shop.tap(OTHER_STAFF, card, data_of(card, "complete"))

    assert (await shop.order(order.id)).status == "wait_for_cod"
    assert order.code in answer["text"]


async def test_a_tap_from_someone_not_on_staff_changes_nothing(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)

    answer = await shop.tap(STRANGER, card, data_of(card, "create_order"))

    assert answer["show_alert"] is True
    assert answer["text"] == text("vi", "alert.not_staff")
    now = await shop.order(order.id)
    assert (now.status, now.version) == ("draft", order.version)
    assert shop.fake.message(GROUP, card.message_id).edits == 0


async def test_a_stale_button_gets_the_changed_alert_and_the_card_is_redrawn(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await shop.card(order)
    stale = data_of(card, "cancel")
    moved = await shop.orders.act(
        order.id, Action.SEND_TO_SHOP, actor=Actor.api(), version=order.version
    )

    answer = await shop.tap(STAFF, card, stale)

    assert answer["show_alert"] is True
    assert answer["text"] == text("vi", "alert.stale")
    assert (await shop.order(order.id)).status == "sent_to_shop"  # not cancelled

    async def redrawn() -> Message | None:
        message = shop.fake.message(GROUP, card.message_id)
        return message if message and message.edits == 1 else None

    message = await eventually(redrawn, "the card redrawn")
    assert "Chuyển cửa hàng" in (message.text or "")  # the new status is shown
    assert all(d.split(":")[2] == str(moved.version) for d in message.callback_data if d)


async def test_an_action_not_allowed_gets_the_reason(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await shop.card(order)
    forged = cb.encode(cb.ActionTap(order.id, order.version, Action.COLLECT_COD))

    answer = await shop.tap(STAFF, card, forged)

    assert answer["show_alert"] is True
    assert answer["text"].startswith(
        f"Đơn {order.code} đang ở trạng thái Chờ vận chuyển: không thể “Thu COD” lúc này"
    )
    assert len(answer["text"]) <= 200
    now = await shop.order(order.id)
    assert (now.status, now.version) == ("waiting_for_shipping", order.version)


@pytest.mark.parametrize("data", ["nonsense", "complete:01:2", "ship:1:1:dhl", "", "x" * 64])
async def test_a_button_that_cannot_be_read_gets_an_alert(shop: Shop, data: str):
    order = await draft(shop.orders)
    card = await shop.card(order)

    answer = await shop.tap(STAFF, card, data)

    assert answer["show_alert"] is True
    assert answer["text"] == text("vi", "alert.bad_button")
    assert (await shop.order(order.id)).version == order.version


async def test_a_tap_on_an_order_that_does_not_exist(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)

    answer = await shop.tap(STAFF, card, "cancel:999999:0")

    assert answer["show_alert"] is True
    assert answer["text"] == text("vi", "alert.not_found")


async def test_two_staff_tapping_at_once_give_one_transition(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    data = data_of(card, "create_order")
    first = shop.tap_update(STAFF, card, data)
    second = shop.tap_update(OTHER_STAFF, card, data)

    await asyncio.gather(shop.post(first), shop.post(second))
    answers = [await shop.answer_to(first), await shop.answer_to(second)]

    now = await shop.order(order.id)
    assert len(actions_in(now, "create_order")) == 1
    assert now.version == order.version + 1
    texts = sorted(a["text"] for a in answers)
    assert texts == sorted([f"Đã tạo đơn {order.code}", text("vi", "alert.stale")])


async def test_the_same_update_delivered_twice_changes_nothing_twice(shop: Shop):
    order = await draft(shop.orders)
    card = await shop.card(order)
    update = shop.tap_update(STAFF, card, data_of(card, "create_order"))

    await shop.post(update)
    answer = await shop.answer_to(update)
    await shop.post(update)

    async def second_handled() -> bool:
        return len(shop.fake.calls_of("answerCallbackQuery")) == 2

    await eventually(second_handled, "the second delivery handled")
    assert answer["text"] == f"Đã tạo đơn {order.code}"
    now = await shop.order(order.id)
    assert len(actions_in(now, "create_order")) == 1
    assert now.version == order.version + 1


async def test_the_ship_menu_offers_configured_carriers_and_back_restores_the_card(shop: Shop):
    buyer = replace(BUYER, street="25 Ngõ 4 Phố Huế", ward="Phường Hai Bà Trưng")  # GHN knows it
    order = await order_in(shop.orders, "waiting_for_shipping", buyer=buyer)
    card = await shop.card(order)
    keyboard = list(card.callback_data)
    ship = data_of(card, "ship")

    answer = await shop.tap(STAFF, card, ship)

    assert not answer.get("show_alert")

    async def menu() -> list[str] | None:
        message = shop.fake.message(GROUP, card.message_id)
        data = message.callback_data if message else []
        return data if data != keyboard else None

    shown = await eventually(menu, "the ship menu")
    assert shown == [f"{ship}:ghn", f"{ship}:individual", f"back:{order.id}:{order.version}"]

    async def quoted() -> str | None:
        message = shop.fake.message(GROUP, card.message_id)
        first = message.buttons[0]["text"] if message and message.buttons else ""
        return first if first.startswith("GHN · ") and first.endswith(" đ") else None

    assert (await eventually(quoted, "GHN's fee in the ship menu")) != "GHN · chưa có giá"

    menu_message = shop.fake.message(GROUP, card.message_id)
    assert menu_message is not None
    await shop.tap(STAFF, menu_message, shown[-1])

    async def restored() -> bool:
        message = shop.fake.message(GROUP, card.message_id)
        return bool(message and message.callback_data == keyboard)

    await eventually(restored, "the card's own keyboard again")


async def test_picking_a_partner_carrier_asks_it_to_ship(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await shop.card(order)
    pick = cb.encode(cb.ShipPick(order.id, order.version, "ghn"))

    answer = await shop.tap(STAFF, card, pick)

    assert answer["text"] == f"Đã gửi đơn {order.code} cho GHN"
    now = await shop.order(order.id)
    assert now.shipper.kind == "ghn"
    [event] = actions_in(now, "ship")
    assert event.details["requested"] is True


async def test_a_carrier_without_a_token_is_not_taken(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await shop.card(order)
    unconfigured = cb.encode(cb.ShipPick(order.id, order.version, "ghtk"))

    refused = await shop.tap(STAFF, card, unconfigured)

    assert refused["show_alert"] and refused["text"] == text("vi", "alert.bad_button")
    assert (await shop.order(order.id)).version == order.version
