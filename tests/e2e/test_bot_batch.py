# ruff: noqa: F811  (the group fixtures are imported from test_bot_commands by name)
"""`/batch` in the staff group, end to end through the fake Bot API: one action over many
orders, a progress message edited as it goes (within the group's pace), and a summary of what
was done and what was refused and why, in the shop's language."""

from __future__ import annotations

import math
import time

from orders.lifecycle import Status
from tests.e2e.test_bot_commands import SALES, STRANGER, Group, fake, group, started  # noqa: F401
from tests.factories import draft, order_in
from tests.fakes.telegram import Message
from tests.helpers import eventually


async def summary_of(group: Group, reply: Message, head: str) -> Message:
    """The progress message once it has become the summary."""

    async def done() -> Message | None:
        now = group.fake.message(reply.chat_id, reply.message_id)
        return now if now is not None and (now.text or "").startswith(head) else None

    return await eventually(done, f"the batch's summary {head!r}")


async def test_codes_are_acted_on_and_refusals_are_listed_with_their_reason(group) -> None:
    ready = await draft(group.orders)
    shipped = await order_in(group.orders, "shipping")
    reply = await group.say(SALES, f"/batch create_order {ready.code} {shipped.code} dh999999")
    assert (reply.text or "").startswith("⏳ Tạo đơn")

    final = await summary_of(group, reply, "✅ Tạo đơn: xong 1/2 đơn.")
    text = final.text or ""
    assert "Không làm được 2 đơn:" in text
    assert "Không có đơn dh999999." in text
    assert f"{shipped.code}: Đơn {shipped.code} đang ở trạng thái Đang vận chuyển" in text
    assert (await group.orders.detail(ready.id)).status == Status.WAITING_FOR_SHIPPING.value
    assert (await group.orders.detail(shipped.id)).status == Status.SHIPPING.value


async def test_a_whole_tab_and_the_progress_message_keeps_to_the_pace(group) -> None:
    drafts = [await draft(group.orders) for _ in range(15)]
    waiting = await order_in(group.orders, "waiting_for_shipping")
    began = time.monotonic()
    reply = await group.say(SALES, "/batch cancel draft")
    final = await summary_of(group, reply, "✅ Hủy: xong 15/15 đơn.")
    took = time.monotonic() - began
    assert "Không làm được" not in (final.text or "")
    # One edit per five seconds at most while it runs, and the summary.
    assert final.edits <= 1 + math.ceil(took / 5), (final.edits, took)
    for order in drafts:
        assert (await group.orders.detail(order.id)).status == Status.CANCELLED.value
    assert (await group.orders.detail(waiting.id)).status == Status.WAITING_FOR_SHIPPING.value


async def test_an_individual_shipper_takes_every_parcel_named(group) -> None:
    orders = [await order_in(group.orders, "waiting_for_shipping") for _ in range(2)]
    codes = " ".join(order.code or "" for order in orders)
    reply = await group.say(SALES, f"/batch ship 0987 654 321 Anh Tuấn {codes}")
    final = await summary_of(group, reply, "✅ Giao hàng (Anh Tuấn): xong 2/2 đơn.")
    assert "Không làm được" not in (final.text or "")
    for order in orders:
        shipped = await group.orders.detail(order.id)
        assert shipped.status == Status.SHIPPING.value
        assert shipped.shipper is not None
        assert (shipped.shipper.name, shipped.shipper.phone) == ("Anh Tuấn", "0987654321")


async def test_a_wrong_command_says_how_to_use_it_and_strangers_get_nothing_done(group) -> None:
    order = await draft(group.orders)
    wrong = ("/batch", "/batch fly DH000001", "/batch ship", "/batch ship nope DH000001")
    for words in (*wrong, "/batch ship 0987654321 DH000001"):
        reply = await group.say(SALES, words)
        assert "Cách dùng: /batch" in (reply.text or ""), words
    unknown = await group.say(SALES, "/batch complete DH777777")
    assert unknown.text == "Không có đơn DH777777."
    not_set_up = await group.say(SALES, f"/batch ship ghn {order.code}")
    assert "đơn vị vận chuyển" in (not_set_up.text or "")
    stranger = await group.say(STRANGER, f"/batch create_order {order.code}")
    assert "Chỉ nhân viên" in (stranger.text or "")
    assert (await group.orders.detail(order.id)).version == order.version
