"""The order commands, end to end: a member types in the group (the fake Bot API posts the
update to the service's `/telegram/webhook`), and the test reads what the bot answered there,
as staff would see it. Only staff get answers; managers alone manage staff and live ordering."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from telegram.constants import ParseMode

from application.chat_tables import TelegramCard
from application.live_sessions import list_sessions, open_session
from application.services import OrderService
from application.views import LiveSessionRow
from bot import callbacks as cb
from bot.cards import card_text
from bot.keyboards import card_keyboard
from bot.lifecycle import BOT
from bot.strings import text
from bot.webhook import SECRET_HEADER
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from orders.changes import LineInput
from orders.drafts import Buyer, NewOrder
from orders.staff import add_staff, find_staff, list_staff
from orders.views import OrderView
from render.formats import format_vnd
from tests.conftest import GROUP, SECRET, bot_settings
from tests.factories import STAFF as STAFF_ACTOR
from tests.factories import order_in, seed_items
from tests.fakes.telegram import FakeTelegram, Message
from tests.helpers import DEADLINE_S, eventually

MANAGER = 1000
SALES = 1001
CASHIER = 1002
STRANGER = 2002
VIDEO = "1234567890123456"
OTHER_VIDEO = "9876543210"


@pytest.fixture
def fake() -> FakeTelegram:
    # Flood control is the notifier's business, tested there; here a test types many commands.
    return FakeTelegram(group_limit=1000, overall_limit=1000)


class Group:
    """The staff group as a member sees it: type a command, read the bot's reply, tap."""

    def __init__(self, client: TestClient, fake: FakeTelegram) -> None:
        self.client = client
        self.fake = fake
        self.app = client.server.app
        self.orders: OrderService = self.app[RUNTIME].orders

    async def post(self, update: dict[str, Any]) -> None:
        answer = await self.client.post(
            "/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
        )
        assert answer.status == 200

    async def say(self, user: int, words: str, *, reply_to: Message | None = None) -> Message:
        """`user` types `words`; returns the bot's reply to that message."""
        update = self.fake.text_update(
            self.fake.user(user),
            GROUP,
            words,
            reply_to=reply_to.message_id if reply_to else None,
        )
        said = update["message"]["message_id"]

        async def replied() -> Message | None:
            return next(
                (m for m in self.fake.bot_messages(GROUP) if m.reply_to_message_id == said), None
            )

        await self.post(update)
        return await eventually(replied, f"the bot's reply to {words!r}")

    async def tap(self, user: int, message: Message, data: str) -> Message:
        """`user` taps the button `data` of `message`; returns the message once redrawn."""
        edits = message.edits
        update = self.fake.callback_update(self.fake.user(user), GROUP, message.message_id, data)
        await self.post(update)

        async def redrawn() -> Message | None:
            now = self.fake.message(GROUP, message.message_id)
            return now if now is not None and now.edits > edits else None

        return await eventually(redrawn, f"the message redrawn after tapping {data}")

    async def card(self, order: OrderView) -> Message:
        """The order's card posted in the group, as the notifier posts it."""
        sent = await self.app[BOT].application.bot.send_message(
            GROUP, card_text(order), parse_mode=ParseMode.HTML, reply_markup=card_keyboard(order)
        )
        message = self.fake.message(GROUP, sent.message_id)
        assert message is not None
        return message


async def started(client: TestClient, fake: FakeTelegram) -> Group:
    runtime = client.server.app[RUNTIME]
    await seed_items(runtime.sessions)
    async with runtime.sessions.begin() as session:
        await add_staff(session, MANAGER, "Hạnh", "manager")
        await add_staff(session, SALES, "Lan", "sales")
        await add_staff(session, CASHIER, "Minh", "cashier")
    await asyncio.wait_for(client.server.app[BOT].started.wait(), DEADLINE_S)
    return Group(client, fake)


@pytest.fixture
async def group(root, fake, aiohttp_client, sqlite_url) -> Group:
    app = create_app(bot_settings(sqlite_url, root), run_worker=False, run_inbox=False)
    return await started(await aiohttp_client(app), fake)


async def new_order(
    service: OrderService, n: int, *, video_id: str | None = None, name: str = ""
) -> OrderView:
    buyer = Buyer(
        name=name or f"Khách {n}",
        phone=f"09123450{n:02d}",
        street=f"{n} Lý Thường Kiệt",
        ward="Phường Cửa Nam",
        province="Thành phố Hà Nội",
        facebook_id=f"fb-{n}",
    )
    return await service.create_draft(
        NewOrder(
            buyer=buyer,
            lines=[LineInput(quantity=1, code="A1")],
            source="livestream" if video_id else "manual",
            video_id=video_id,
            shipping_fee=30_000,
        ),
        STAFF_ACTOR,
    )


async def open_live(group: Group, video_id: str, title: str) -> None:
    async with group.orders.transaction() as session:
        await open_session(session, video_id, title=title)


def buttons(message: Message) -> dict[str, str]:
    """Button text -> callback data."""
    return {b["text"]: b.get("callback_data", "") for b in message.buttons}


def pages(message: Message) -> list[cb.ListPage]:
    return [c for c in map(cb.decode, message.callback_data) if isinstance(c, cb.ListPage)]


def listed(message: Message) -> list[int]:
    """The order ids the list's buttons open."""
    return [c.order_id for c in map(cb.decode, message.callback_data) if isinstance(c, cb.OpenCard)]


# ---- /orders ---------------------------------------------------------------------------------


async def test_orders_lists_every_order_with_counts_on_the_tabs(group: Group):
    drafts = [await new_order(group.orders, n) for n in range(1, 4)]
    waiting = await order_in(group.orders, "waiting_for_shipping")
    shipping = await order_in(group.orders, "shipping")

    reply = await group.say(SALES, "/orders")

    body = reply.text or ""
    assert body.splitlines()[0] == "📋 Đơn hàng · Tất cả (5)"
    first = drafts[0]
    assert f"• {first.code} · Khách 1 · {format_vnd(first.total)} · Nháp" in body
    assert f"• {waiting.code} · Nguyễn Thị Hoa · " in body and "· Chờ vận chuyển" in body
    assert f"{shipping.code}" in body and "· Đang vận chuyển" in body
    keys = buttons(reply)
    assert keys["• Tất cả (5)"] == "list:all:0"
    assert keys["Nháp (3)"] == "list:draft:0"
    assert keys["Chờ vận chuyển (1)"] == "list:waiting_for_shipping:0"
    assert keys["Đang vận chuyển (1)"] == "list:shipping:0"
    assert keys["Đã hủy (0)"] == "list:cancelled:0"
    newest_first = [shipping.id, waiting.id, *[d.id for d in reversed(drafts)]]
    assert listed(reply) == newest_first
    assert "Sau ›" not in keys and "‹ Trước" not in keys  # one page holds them all


async def test_a_tab_lists_only_its_status(group: Group):
    await new_order(group.orders, 1)
    waiting = await order_in(group.orders, "waiting_for_shipping")
    reply = await group.say(SALES, "/orders")

    redrawn = await group.tap(SALES, reply, buttons(reply)["Chờ vận chuyển (1)"])

    assert (redrawn.text or "").splitlines()[0] == "📋 Đơn hàng · Chờ vận chuyển (1)"
    assert listed(redrawn) == [waiting.id]
    assert "• Chờ vận chuyển (1)" in buttons(redrawn)


async def test_paging_and_tabs_keep_the_live_filter(group: Group):
    await open_live(group, VIDEO, "Live tối thứ Sáu")
    await open_live(group, OTHER_VIDEO, "Live sáng")
    ours = [await new_order(group.orders, n, video_id=VIDEO) for n in range(1, 13)]
    others = [await new_order(group.orders, n, video_id=OTHER_VIDEO) for n in range(20, 23)]
    newest = [order.id for order in reversed(ours)]

    first = await group.say(SALES, f"/orders live {VIDEO}")

    assert "📺 Live: Live tối thứ Sáu" in (first.text or "")
    assert listed(first) == newest[:10]
    assert "• Tất cả (12)" in buttons(first) and "Nháp (12)" in buttons(first)
    live_id = pages(first)[0].live
    assert live_id is not None and all(page.live == live_id for page in pages(first))

    second = await group.tap(SALES, first, buttons(first)["Sau ›"])
    assert listed(second) == newest[10:]
    assert "Sau ›" not in buttons(second)
    assert not set(listed(second)) & {order.id for order in others}

    drafts_tab = await group.tap(SALES, second, buttons(second)["Nháp (12)"])
    assert (drafts_tab.text or "").splitlines()[0] == "📋 Đơn hàng · Nháp (12)"
    assert listed(drafts_tab) == newest[:10]
    third = await group.tap(SALES, drafts_tab, buttons(drafts_tab)["Sau ›"])
    assert listed(third) == newest[10:]

    back = await group.tap(SALES, third, buttons(third)["‹ Trước"])
    assert listed(back) == newest[:10]
    assert "‹ Trước" not in buttons(back)


async def test_previous_goes_back_one_page_in_the_middle(group: Group):
    orders = [await new_order(group.orders, n) for n in range(1, 26)]
    newest = [order.id for order in reversed(orders)]
    first = await group.say(SALES, "/orders draft")
    second = await group.tap(SALES, first, buttons(first)["Sau ›"])
    third = await group.tap(SALES, second, buttons(second)["Sau ›"])
    assert listed(third) == newest[20:]

    back = await group.tap(SALES, third, buttons(third)["‹ Trước"])

    assert listed(back) == newest[10:20]
    assert "‹ Trước" in buttons(back) and "Sau ›" in buttons(back)


async def test_orders_of_a_staff_member_by_name(group: Group):
    mine = await new_order(group.orders, 1)
    await new_order(group.orders, 2)
    card = await group.card(mine)
    await group.say(SALES, "/claim", reply_to=card)

    reply = await group.say(MANAGER, "/orders @lan")

    assert "🧑‍💼 Nhân viên chăm sóc: Lan" in (reply.text or "")
    assert listed(reply) == [mine.id]
    nobody = await group.say(MANAGER, "/orders @Tuấn")
    assert nobody.text == "Không có nhân viên nào tên Tuấn."


async def test_buyers_names_are_shown_as_typed_never_as_markup(group: Group):
    await new_order(group.orders, 1, name="<b>Tom & Jerry</b>")

    reply = await group.say(SALES, "/orders")

    assert "· <b>Tom & Jerry</b> ·" in (reply.text or "")  # the fake refuses broken HTML
    assert not [e for e in reply.entities if e["type"] == "bold" and e["length"] == 11]


async def test_bad_arguments_get_the_usage(group: Group):
    reply = await group.say(SALES, "/orders banana")
    assert reply.text == text("vi", "cmd.usage", usage=text("vi", "usage.orders"))
    unknown = await group.say(SALES, "/orders live 42")
    assert unknown.text == "Không có phiên live 42."


# ---- /order CODE -----------------------------------------------------------------------------


async def test_order_code_replies_with_the_card(group: Group):
    order = await order_in(group.orders, "waiting_for_shipping")

    reply = await group.say(SALES, f"/order {order.code.lower()}")

    assert (reply.text or "").startswith(f"🧾 Đơn {order.code} · Chờ vận chuyển")
    assert f"ship:{order.id}:{order.version}" in reply.callback_data
    unknown = await group.say(SALES, "/order CD999999")
    assert unknown.text == "Không có đơn nào mã CD999999."
    usage = await group.say(SALES, "/order")
    assert usage.text == text("vi", "cmd.usage", usage="/order MÃ_ĐƠN")


async def test_order_code_replies_to_its_card_with_the_history_in_vietnamese(group: Group):
    order = await order_in(group.orders, "waiting_for_shipping")

    card = await group.say(SALES, f"/order {order.code}")

    async def history() -> Message | None:
        return next(
            (m for m in group.fake.bot_messages(GROUP) if m.reply_to_message_id == card.message_id),
            None,
        )

    said = (await eventually(history, "the history under the card")).text or ""
    assert said.startswith(f"🕘 Lịch sử đơn {order.code}:")
    assert "(Nhân viên): Tạo đơn: Nháp → Chờ vận chuyển" in said
    assert "create_order" not in said and "waiting_for_shipping" not in said


# ---- /claim ----------------------------------------------------------------------------------


async def test_claim_on_the_orders_card_then_orders_mine_shows_it(group: Group):
    claimed = await new_order(group.orders, 1)
    other = await new_order(group.orders, 2)
    card = await group.card(claimed)
    async with group.orders.transaction() as session:  # the notifier's record of the card
        session.add(
            TelegramCard(order_id=claimed.id, chat_id=GROUP, message_id=card.message_id, version=1)
        )

    reply = await group.say(SALES, "/claim", reply_to=card)

    assert reply.text == f"Lan nhận chăm sóc khách Khách 1 (đơn {claimed.code})."
    now = await group.orders.detail(claimed.id)
    assert now.staff.name == "Lan"
    [event] = [e for e in now.events if e.action == "edit"]
    assert event.actor == "Lan" and event.source == "staff"
    mine = await group.say(SALES, "/orders mine")
    assert listed(mine) == [claimed.id]
    assert other.code not in (mine.text or "")
    again = await group.say(SALES, "/claim", reply_to=card)
    assert again.text == f"Bạn đã nhận chăm sóc khách của đơn {claimed.code} rồi."


async def test_claim_on_a_card_sent_by_order_code_and_taking_over(group: Group):
    order = await order_in(group.orders, "waiting_for_shipping")
    card = await group.say(MANAGER, f"/order {order.code}")
    await group.say(CASHIER, "/claim", reply_to=card)

    reply = await group.say(SALES, "/claim", reply_to=card)

    assert reply.text == (
        f"Lan nhận chăm sóc khách Nguyễn Thị Hoa (đơn {order.code}). Trước đó: Minh."
    )
    assert (await group.orders.detail(order.id)).staff.name == "Lan"


async def test_claim_after_the_parcel_left_is_refused_and_changes_nothing(group: Group):
    order = await order_in(group.orders, "shipping")
    card = await group.card(order)

    reply = await group.say(SALES, "/claim", reply_to=card)

    assert reply.text == (
        f"Đơn {order.code} đang ở trạng thái Đang vận chuyển: chỉ nhận chăm sóc khách khi "
        "đơn còn là Nháp hoặc Chờ vận chuyển."
    )
    now = await group.orders.detail(order.id)
    assert now.staff is None and now.version == order.version


async def test_claim_needs_a_reply_to_a_card(group: Group):
    alone = await group.say(SALES, "/claim")
    assert alone.text == text("vi", "cmd.usage", usage=text("vi", "usage.claim"))
    listing = await group.say(SALES, "/orders")
    not_card = await group.say(SALES, "/claim", reply_to=listing)
    assert not_card.text == text("vi", "claim.not_card")


# ---- /live -----------------------------------------------------------------------------------


async def live_view(group: Group, video_id: str) -> LiveSessionRow:
    async with group.orders.reading() as session:
        [view] = [v for v in await list_sessions(session) if v.video_id == video_id]
    return view


async def test_live_lists_sessions_with_their_counts(group: Group):
    await open_live(group, VIDEO, "Live <tối> thứ Sáu")
    await new_order(group.orders, 1, video_id=VIDEO)
    await new_order(group.orders, 2, video_id=VIDEO)

    reply = await group.say(SALES, "/live")

    body = reply.text or ""
    assert f"#1 Live <tối> thứ Sáu · {VIDEO} · 🟢 đang nhận đơn" in body
    assert "💬 0 bình luận · 🧾 2 đơn (2 nháp)" in body
    assert "📡 webhook 0 · quét lại 0" in body  # which source delivered the comments
    assert "Quản lý:" not in body  # managers' hint only for managers
    orders = await group.tap(SALES, reply, buttons(reply)["📋 Đơn của live #1"])
    assert "📺 Live: Live <tối> thứ Sáu" in (orders.text or "")
    assert len(listed(orders)) == 2


async def test_live_says_which_page_a_live_is_on(group: Group):
    async with group.orders.transaction() as session:
        await open_session(session, VIDEO, title="Live tối", page_id="5550001")
    await open_live(group, OTHER_VIDEO, "Live sáng")

    body = (await group.say(SALES, "/live")).text or ""

    assert f"#1 Live tối · {VIDEO} · Trang 5550001 · 🟢 đang nhận đơn" in body
    assert f"#2 Live sáng · {OTHER_VIDEO} · 🟢 đang nhận đơn" in body  # no Page known yet


async def test_a_manager_closes_and_opens_ordering(group: Group):
    await open_live(group, VIDEO, "Live tối")

    closed = await group.say(MANAGER, f"/live close {VIDEO}")

    assert closed.text == (
        "Đã dừng nhận đơn cho live #1 Live tối: bình luận sau đó vẫn được giữ, đánh dấu là trễ."
    )
    assert (await live_view(group, VIDEO)).ordering_open is False
    listing = await group.say(MANAGER, "/live")
    assert "🔴 đã dừng nhận đơn" in (listing.text or "") and "Quản lý:" in (listing.text or "")

    opened = await group.say(MANAGER, "/live open #1")

    assert opened.text == "Đã mở nhận đơn cho live #1 Live tối."
    assert (await live_view(group, VIDEO)).ordering_open is True
    created = await group.say(MANAGER, f"/live open {OTHER_VIDEO} Live sáng Chủ nhật")
    assert created.text == "Đã mở nhận đơn cho live #2 Live sáng Chủ nhật."


async def test_sales_cannot_open_or_close_ordering(group: Group):
    await open_live(group, VIDEO, "Live tối")

    reply = await group.say(SALES, f"/live close {VIDEO}")

    assert reply.text == text("vi", "cmd.managers_only")
    assert (await live_view(group, VIDEO)).ordering_open is True
    unknown = await group.say(MANAGER, "/live close 404")
    assert "404" in (unknown.text or "")


# ---- /debt -----------------------------------------------------------------------------------


async def test_debt_shows_what_each_shipper_owes(group: Group):
    empty = await group.say(CASHIER, "/debt")
    assert empty.text == "Không đơn vị giao nào còn nợ tiền COD."
    first = await order_in(group.orders, "wait_for_cod")
    second = await order_in(group.orders, "wait_for_cod")
    await order_in(group.orders, "complete")  # collected: owes nothing

    reply = await group.say(CASHIER, "/debt")

    owed = first.cod_amount + second.cod_amount
    body = reply.text or ""
    assert body.splitlines()[0] == "💵 Tiền COD đơn vị giao còn nợ"
    assert (
        f"🚚 Shipper riêng Anh Tuấn 0987654321: {format_vnd(owed)} · 2 đơn: "
        f"{first.code}, {second.code}"
    ) in body
    assert body.splitlines()[-1] == f"Tổng còn nợ: {format_vnd(owed)}"


# ---- /staff ----------------------------------------------------------------------------------


async def staff_ids(group: Group) -> set[int]:
    async with group.orders.reading() as session:
        return {person.telegram_id for person in await list_staff(session)}


async def test_a_manager_adds_lists_and_removes_staff(group: Group):
    added = await group.say(MANAGER, "/staff add 3003 sales Ngọc Anh")

    assert added.text == "Đã thêm Ngọc Anh (bán hàng), Telegram id 3003."
    async with group.orders.reading() as session:
        person = await find_staff(session, 3003)
        assert person is not None and (person.name, person.role) == ("Ngọc Anh", "sales")
    listing = await group.say(MANAGER, "/staff")
    assert "• Ngọc Anh · bán hàng · 3003" in (listing.text or "")
    assert "• Hạnh · quản lý · 1000" in (listing.text or "")

    removed = await group.say(MANAGER, "/staff remove 3003")

    assert removed.text == "Đã xóa Telegram id 3003 khỏi nhân viên."
    assert 3003 not in await staff_ids(group)
    newcomer = await group.say(3003, "/orders")
    assert newcomer.text == text("vi", "cmd.not_staff")


async def test_staff_is_for_managers_only(group: Group):
    for words in ("/staff", "/staff add 3003 manager Kẻ Lạ", "/staff remove 1000"):
        reply = await group.say(SALES, words)
        assert reply.text == text("vi", "cmd.managers_only")
    assert await staff_ids(group) == {MANAGER, SALES, CASHIER}


async def test_the_last_manager_stays_and_bad_arguments_get_the_usage(group: Group):
    last = await group.say(MANAGER, "/staff remove 1000")
    assert last.text == "Hạnh là quản lý duy nhất: hãy thêm một quản lý khác trước."
    demoted = await group.say(MANAGER, "/staff add 1000 sales Hạnh")
    assert demoted.text == last.text
    for words in ("/staff add 3003 boss Tí", "/staff add abc sales Tí", "/staff remove"):
        reply = await group.say(MANAGER, words)
        assert reply.text == text("vi", "cmd.usage", usage=text("vi", "usage.staff"))
    assert await staff_ids(group) == {MANAGER, SALES, CASHIER}


# ---- who may ask, and in which language --------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    ["/orders", "/order CD000001", "/claim", "/live", f"/live close {VIDEO}", "/debt", "/staff"],
)
async def test_someone_not_on_staff_is_refused(group: Group, words: str):
    await new_order(group.orders, 1)

    reply = await group.say(STRANGER, words)

    assert reply.text == "Chỉ nhân viên của shop mới dùng được lệnh này."
    assert reply.reply_markup is None


async def test_english_with_language_en(root, fake, aiohttp_client, sqlite_url):
    settings = bot_settings(sqlite_url, root, language="en")
    group = await started(
        await aiohttp_client(create_app(settings, run_worker=False, run_inbox=False)), fake
    )
    order = await new_order(group.orders, 1)

    reply = await group.say(SALES, "/orders")

    assert (reply.text or "").splitlines()[0] == "📋 Orders · All (1)"
    assert f"• {order.code} · Khách 1 · {format_vnd(order.total)} · Draft" in reply.text
    assert "Draft (1)" in buttons(reply) and "Close" in buttons(reply)
    refused = await group.say(STRANGER, "/debt")
    assert refused.text == "Only the shop's staff can use this command."
    card = await group.card(order)
    claimed = await group.say(SALES, "/claim", reply_to=card)
    assert claimed.text == f"Lan now takes care of Khách 1 (order {order.code})."
    debt = await group.say(SALES, "/debt")
    assert debt.text == "No shipper owes any COD."
