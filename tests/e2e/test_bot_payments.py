# ruff: noqa: F811  (the group fixtures are imported from test_bot_commands by name)
"""Money in the staff group, end to end: the card the notifier keeps up to date says how the
order is paid and where its money stands; staff choose the way to pay from the card, type a
deposit or money received in reply to a prompt, and are asked "ship anyway?" before an order
whose money has not come in leaves. Taps and replies reach `/telegram/webhook` from the fake
Bot API; the outbox worker runs, so the cards are the notifier's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient

from application import customers
from application.wording.history import history_line
from bot import callbacks as cb
from bot.lifecycle import BOT
from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from orders.changes import OrderChanges
from orders.staff import add_staff
from orders.views import OrderView
from tests.conftest import GROUP, bot_settings
from tests.e2e.test_bot_chat_edit import bot_reply_to, choose, reply
from tests.e2e.test_bot_commands import SALES, Group, fake, group  # noqa: F401 (fixtures)
from tests.e2e.test_bot_taps import STAFF, Shop
from tests.factories import INDIVIDUAL, order_in, seed_items
from tests.factories import STAFF as SOMEONE
from tests.fakes.telegram import Message
from tests.helpers import DEADLINE_S, eventually

FAST = Pace(outbox_poll_s=0.02, outbox_backoff_base_s=0.02, outbox_backoff_cap_s=0.1)
TOTAL = "330.000 đ"  # two A1 at 150.000 đ and 30.000 đ shipping


@pytest.fixture
async def shop(root, fake, aiohttp_client, sqlite_url) -> Shop:
    """The service with its outbox worker: every change redraws the order's card."""
    settings = bot_settings(sqlite_url, root, shop_name="Shop Mai")
    app = create_app(settings, run_inbox=False, pace=FAST)
    client: TestClient = await aiohttp_client(app)
    runtime = client.server.app[RUNTIME]
    await seed_items(runtime.sessions)
    async with runtime.sessions.begin() as session:
        await add_staff(session, STAFF, "Lan", "sales")
    await asyncio.wait_for(client.server.app[BOT].started.wait(), DEADLINE_S)
    return Shop(client, fake)


async def card_of(shop: Shop, order_id: int, shows: str = "") -> Message:
    """The order's card once it is drawn for the order as it is now (its buttons carry the
    current version) and shows `shows`."""
    version = str((await shop.order(order_id)).version)

    def is_card(message: Message) -> bool:
        fields = [data.split(":") for data in message.callback_data]
        return bool(fields) and all(f[1:3] == [str(order_id), version] for f in fields)

    async def drawn() -> Message | None:
        for message in shop.fake.bot_messages(GROUP):
            if is_card(message) and shows in (message.text or ""):
                return message
        return None

    return await eventually(drawn, f"the card of order {order_id} v{version} showing {shows!r}")


async def shown(
    shop: Shop, message: Message, check: Callable[[Message], bool], what: str
) -> Message:
    async def now() -> Message | None:
        seen = shop.fake.message(GROUP, message.message_id)
        return seen if seen is not None and check(seen) else None

    return await eventually(now, what)


def history(order: OrderView) -> list[str]:
    return [history_line(event, "vi").text for event in order.events]


async def test_transfer_from_the_card_then_shipping_unpaid_asks_first(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await card_of(shop, order.id, f"💵 Thu hộ (COD): {TOTAL}")
    assert "💳" not in (card.text or "")  # a plain COD card says nothing more

    await shop.tap(STAFF, card, cb.encode(cb.EditMenu(order.id, order.version)))
    menu = await shown(
        shop, card, lambda m: "💳 Thanh toán" in [b["text"] for b in m.buttons], "edit menu"
    )
    await shop.tap(STAFF, menu, cb.encode(cb.PayMenu(order.id, order.version)))
    choices = await shown(
        shop, card, lambda m: any("Chuyển khoản" in b["text"] for b in m.buttons), "pay menu"
    )
    assert [b["text"] for b in choices.buttons] == [
        "• Thu hộ (COD)",
        "Chuyển khoản",
        "Đặt cọc",
        "« Quay lại",
    ]
    answer = await shop.tap(
        STAFF, choices, cb.encode(cb.PayPick(order.id, order.version, "transfer"))
    )
    assert answer["text"] == f"Đơn {order.code}: thanh toán Chuyển khoản"
    card = await card_of(shop, order.id, f"💳 Chuyển khoản: chưa nhận tiền, còn chờ {TOTAL}")
    assert "💵 Thu hộ (COD): 0 đ" in (card.text or "")
    order = await shop.order(order.id)
    assert (order.payment.method, order.cod_amount) == ("transfer", 0)
    assert "Thanh toán: Thu hộ (COD) → Chuyển khoản" in " ".join(history(order))

    # An individual shipper typed in reply: the rules hold the parcel back, the bot asks.
    prompt = await choose(shop, card, cb.ShipPick(order.id, order.version, "individual"))
    asked = await reply(shop, prompt, "Anh Tuấn 0987 654 321")
    assert asked.text == (
        f"⚠️ Đơn {order.code} chưa nhận đủ tiền chuyển khoản (còn chờ {TOTAL}). Vẫn giao?"
    )
    assert [b["text"] for b in asked.buttons] == ["Có, vẫn giao hàng", "Không"]
    assert (await shop.order(order.id)).status == "waiting_for_shipping"

    done = await shop.tap(STAFF, asked, asked.callback_data[0])
    assert done["text"] == f"Đã gửi đơn {order.code} cho Anh Tuấn"
    shipped = await shop.order(order.id)
    assert shipped.status == "shipping"
    assert (shipped.shipper.name, shipped.shipper.phone) == ("Anh Tuấn", "0987654321")
    assert f"Giao khi chưa nhận đủ tiền (còn chờ {TOTAL})" in history(shipped)[-1]
    await eventually(_gone(shop, asked), "the question closed once answered")

    # /order shows the same words in the group
    group = Group(shop.client, shop.fake)
    shown_card = await group.say(STAFF, f"/order {order.code}")
    history_message = await bot_reply_to(shop, shown_card.message_id)
    assert "Giao khi chưa nhận đủ tiền" in (history_message.text or "")


async def test_no_keeps_the_order_and_closes_the_question(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    order = await shop.orders.act(
        order.id,
        "edit",
        actor=SOMEONE,
        version=order.version,
        changes=OrderChanges(payment_method="transfer"),
    )
    card = await card_of(shop, order.id, "💳 Chuyển khoản")
    prompt = await choose(shop, card, cb.ShipPick(order.id, order.version, "individual"))
    asked = await reply(shop, prompt, "Anh Tuấn 0987654321")
    no = asked.callback_data[1]
    assert cb.decode(no) == cb.Close()
    await shop.tap(STAFF, asked, no)
    await eventually(_gone(shop, asked), "the question deleted")
    assert (await shop.order(order.id)).status == "waiting_for_shipping"

    # Yes after the order changed: the question goes, nothing is shipped
    prompt = await choose(shop, card, cb.ShipPick(order.id, order.version, "individual"))
    asked = await reply(shop, prompt, "Anh Tuấn 0987654321")
    note = OrderChanges(note="gọi trước")
    await shop.orders.act(order.id, "edit", actor=SOMEONE, version=order.version, changes=note)
    late = await shop.tap(STAFF, asked, asked.callback_data[0])
    assert late["text"] == "Đơn đã thay đổi, đã cập nhật lại thẻ"
    await eventually(_gone(shop, asked), "the stale question deleted")
    assert (await shop.order(order.id)).status == "waiting_for_shipping"


def _gone(shop: Shop, message: Message):
    async def check() -> bool:
        now = shop.fake.message(GROUP, message.message_id)
        return now is None or now.deleted

    return check


async def test_a_flagged_buyer_who_has_not_paid_is_asked_about_both_in_turn(shop: Shop):
    await order_in(shop.orders, "shipping")  # Anh Tuấn is a recent shipper now
    order = await order_in(shop.orders, "waiting_for_shipping")
    order = await shop.orders.act(
        order.id,
        "edit",
        actor=SOMEONE,
        version=order.version,
        changes=OrderChanges(payment_method="transfer"),
    )
    await customers.flag_order_buyer(shop.orders, order.id, True, "bom hàng 2 lần", SOMEONE)
    order = await shop.order(order.id)
    card = await card_of(shop, order.id, "🚩")
    recent = cb.ShipPick(order.id, order.version, "individual", INDIVIDUAL.phone)

    risky = await shop.tap(STAFF, card, cb.encode(recent))
    assert risky["show_alert"] is True
    assert risky["text"] == "Khách bị gắn cờ: bom hàng 2 lần. Vẫn giao hàng?"
    menu = await shown(shop, card, lambda m: m.buttons[0]["text"] == "Có, vẫn giao hàng", "yes")
    yes = cb.decode(menu.callback_data[0])
    assert isinstance(yes, cb.Approve) and (yes.risky, yes.unpaid) == (True, False)

    unpaid = await shop.tap(STAFF, menu, menu.callback_data[0])
    assert unpaid["text"] == (
        f"Đơn {order.code} chưa nhận đủ tiền chuyển khoản (còn chờ {TOTAL}). Vẫn giao?"
    )
    assert (await shop.order(order.id)).status == "waiting_for_shipping"
    both = await shown(shop, card, lambda m: m.callback_data[0].startswith("okrp:"), "yes to both")

    done = await shop.tap(STAFF, both, both.callback_data[0])
    assert done["text"] == f"Đã gửi đơn {order.code} cho Anh Tuấn"
    shipped = await shop.order(order.id)
    assert shipped.status == "shipping"
    [event] = [e for e in shipped.events if e.action == "ship"]
    assert event.details["approved_risky"] is True and event.details["approved_unpaid"] is True


async def test_a_deposit_and_money_received_are_typed_in_reply(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await card_of(shop, order.id)
    prompt = await choose(shop, card, cb.PayPick(order.id, order.version, "deposit"))
    assert "số tiền cọc" in (prompt.text or "")

    too_much = await reply(shop, prompt, "1tr")
    assert "Tiền cọc 1.000.000" in (too_much.text or "")
    bad = await reply(shop, too_much, "một trăm")
    assert "'một trăm' không phải số tiền" in (bad.text or "")
    saved = await reply(shop, bad, "100k")
    assert saved.text == f"✅ Đã lưu Tiền cọc của đơn {order.code}"
    card = await card_of(shop, order.id, "💳 Đặt cọc 100.000 đ: chưa nhận cọc")
    assert f"💵 Thu hộ (COD): {TOTAL}" in (card.text or "")

    order = await shop.order(order.id)
    prompt = await choose(shop, card, cb.PaidAsk(order.id, order.version))
    assert "số tiền đã nhận" in (prompt.text or "")
    received = await reply(shop, prompt, "100.000")
    assert received.text == (
        f"✅ Đã ghi nhận tiền cho đơn {order.code}: đã nhận 100.000 đ, còn 230.000 đ"
    )
    card = await card_of(shop, order.id, "💳 Đặt cọc 100.000 đ: đã nhận 100.000 đ")
    assert "💵 Thu hộ (COD): 230.000 đ" in (card.text or "")
    now = await shop.order(order.id)
    assert (now.payment.paid, now.payment.due) == (100_000, 230_000)
    assert "Nhận 100.000 đ (ghi tay): đã nhận 100.000 đ, còn 230.000 đ" in history(now)[-1]

    # The deposit is in: shipping asks nothing any more.
    prompt = await choose(shop, card, cb.ShipPick(now.id, now.version, "individual"))
    shipped = await reply(shop, prompt, "Anh Tuấn 0987654321")
    assert shipped.text == f"✅ Đã gửi đơn {order.code} cho Anh Tuấn"


async def test_money_received_on_a_transfer_order_and_too_much(shop: Shop):
    order = await order_in(shop.orders, "waiting_for_shipping")
    order = await shop.orders.act(
        order.id,
        "edit",
        actor=SOMEONE,
        version=order.version,
        changes=OrderChanges(payment_method="transfer"),
    )
    card = await card_of(shop, order.id, "💳 Chuyển khoản")
    prompt = await choose(shop, card, cb.PaidAsk(order.id, order.version))
    await reply(shop, prompt, "200k")
    card = await card_of(shop, order.id, "💳 Chuyển khoản: đã nhận 200.000 đ, còn chờ 130.000 đ")

    # a second payment, recorded from a card drawn before the first: money has no version
    prompt = await choose(shop, card, cb.PaidAsk(order.id, (await shop.order(order.id)).version))
    await reply(shop, prompt, "150k")
    card = await card_of(shop, order.id, "⚠️ Khách chuyển thừa 20.000 đ")
    assert "💵 Đã thanh toán trước (không thu hộ)" in (card.text or "")


async def test_a_stale_payment_button_is_answered_not_acted_on(shop: Shop):
    await order_in(shop.orders, "shipping")  # Anh Tuấn is a recent shipper now
    order = await order_in(shop.orders, "waiting_for_shipping")
    card = await card_of(shop, order.id)
    note = OrderChanges(note="gọi trước")
    await shop.orders.act(order.id, "edit", actor=SOMEONE, version=order.version, changes=note)
    yes = cb.Approve(
        order.id, order.version, "ship", "individual", INDIVIDUAL.phone, risky=False, unpaid=True
    )
    for stale in (
        cb.PayPick(order.id, order.version, "transfer"),
        cb.PayPick(order.id, order.version, "deposit"),
        cb.PayMenu(order.id, order.version),
        cb.PaidAsk(order.id, order.version),
        yes,
    ):
        answer = await shop.tap(STAFF, card, cb.encode(stale))
        assert answer["show_alert"] is True, stale
        assert answer["text"] == "Đơn đã thay đổi, đã cập nhật lại thẻ", stale
    now = await shop.order(order.id)
    assert (now.payment.method, now.status) == ("cod", "waiting_for_shipping")


async def test_a_batch_names_the_orders_still_awaiting_their_money(group: Group) -> None:
    paid_by_cod = await order_in(group.orders, "waiting_for_shipping")
    awaited = await order_in(group.orders, "waiting_for_shipping")
    await group.orders.act(
        awaited.id,
        "edit",
        actor=SOMEONE,
        version=awaited.version,
        changes=OrderChanges(payment_method="transfer"),
    )
    reply_ = await group.say(
        SALES, f"/batch ship 0987654321 Anh Tuấn {paid_by_cod.code} {awaited.code}"
    )

    async def summary() -> Message | None:
        now = group.fake.message(reply_.chat_id, reply_.message_id)
        return now if now and (now.text or "").startswith("✅") else None

    final = await eventually(summary, "the batch's summary")
    text = final.text or ""
    assert "xong 1/2 đơn" in text
    assert f"{awaited.code}: Đơn {awaited.code} (Chuyển khoản) chưa nhận đủ tiền" in text
    assert (await group.orders.detail(awaited.id)).status == "waiting_for_shipping"
