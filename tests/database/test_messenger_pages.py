"""What staff see of Messenger in the pages: the messages screen (newest first, unknown senders
marked, attached by phone or id), the buyer's answer on the order page and as a list filter."""

# ruff: noqa: F811  (the pages' fixtures are imported, then named as test parameters)
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from application.services import OrderService
from chotdon.runtime import RUNTIME
from kernel.tables import utcnow
from livestream.tables import BuyerMessage
from orders.tables import Order
from tests.database.test_web_pages import (  # noqa: F401 (fixtures)
    client,
    get,
    order_with,
    post,
    service,
    signed_in,
    text_of,
)


async def message(client, sender: str, text: str, minutes_ago: int, customer_id=None) -> int:
    async with client.app[RUNTIME].sessions.begin() as session:
        row = BuyerMessage(
            mid=f"m_{sender}_{minutes_ago}",
            sender_id=sender,
            text=text,
            at=utcnow() - timedelta(minutes=minutes_ago),
            customer_id=customer_id,
            outcome="unlinked" if customer_id is None else "nothing",
        )
        session.add(row)
        await session.flush()
        return row.id


async def test_the_messages_page_lists_newest_first_and_attaches_an_unknown_sender_by_phone(
    client, service: OrderService
):
    order = await order_with(service, phone="0912345678", facebook_id="fb-hoa")
    customer_id = order.customer.id
    await message(client, "psid-hoa", "cảm ơn shop", 30, customer_id)
    stranger = await message(client, "psid-lạ", "còn áo size M không shop?", 5)

    page = await get(client, "/messages")
    shown = text_of(page)
    assert 'href="/messages"' in page
    assert shown.index("còn áo size M không shop?") < shown.index("cảm ơn shop")
    assert "Unknown sender" in shown and f"Customer #{customer_id}" in shown
    assert text_of(await get(client, "/messages?unlinked=1")).count("psid-") == 1

    missing, _ = await post(
        client, f"/messages/{stranger}/customer", {"customer": "0999999999"}, status=422
    )
    assert "No customer “0999999999”" in text_of(missing)

    done, where = await post(client, f"/messages/{stranger}/customer", {"customer": "0912 345 678"})
    assert where == f"/messages?linked={customer_id}"
    assert f"Sender attached to customer #{customer_id}" in text_of(done)
    assert "Unknown sender" not in text_of(done)
    assert "psid-" not in text_of(await get(client, "/messages?unlinked=1"))


async def test_the_buyers_answer_shows_on_the_order_page_and_filters_the_list(
    client, service: OrderService
):
    asked = await order_with(service, facebook_id="fb-1")
    other = await order_with(service, facebook_id="fb-2")
    async with client.app[RUNTIME].sessions.begin() as session:
        await session.execute(
            update(Order).where(Order.id == asked.id).values(buyer_confirmation="confirmed")
        )

    page = text_of(await get(client, f"/orders/{asked.id}"))
    assert "✅ The buyer confirmed in Messenger" in page
    assert "confirmed in Messenger" not in text_of(await get(client, f"/orders/{other.id}"))

    listed = await get(client, "/?confirmation=confirmed")
    assert asked.code in listed and other.code not in listed
    assert '<option value="confirmed" selected>' in listed
    assert other.code in await get(client, "/?confirmation=bogus")
