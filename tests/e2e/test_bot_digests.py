"""Opening a draft's card from a digest's button, end to end: the fake Bot API posts the tap to
`/telegram/webhook`, the bot answers and posts (or points at) the card in the group."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from telegram.constants import ParseMode

from application.chat_tables import TelegramCard
from bot import callbacks as cb
from bot.digests import digest_message
from bot.lifecycle import BOT
from bot.strings import text
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from orders.staff import add_staff
from tests.conftest import GROUP, STAFF, bot_settings, tap
from tests.factories import draft, seed_items
from tests.fakes.telegram import FakeTelegram, Message
from tests.helpers import DEADLINE_S, eventually


@pytest.fixture
async def client(root, aiohttp_client, sqlite_url) -> TestClient:
    settings = bot_settings(
        sqlite_url,
        root,
        language="en",
    )
    client = await aiohttp_client(create_app(settings, run_worker=False, run_inbox=False))
    runtime = client.app[RUNTIME]
    await seed_items(runtime.sessions)
    async with runtime.sessions.begin() as session:
        await add_staff(session, STAFF, "Lan", "sales")
    await asyncio.wait_for(client.app[BOT].started.wait(), DEADLINE_S)
    return client


async def post_digest(client: TestClient, fake: FakeTelegram, orders: list[dict]) -> Message:
    words, markup = digest_message(orders, language="en")
    bot = client.app[BOT].application.bot
    sent = await bot.send_message(GROUP, words, parse_mode=ParseMode.HTML, reply_markup=markup)
    return fake.message(GROUP, sent.message_id)


async def reply_to(fake: FakeTelegram, message_id: int, count: int = 1) -> list[Message]:
    async def replies() -> list[Message]:
        found = [m for m in fake.bot_messages(GROUP) if m.reply_to_message_id == message_id]
        return found if len(found) >= count else []

    return await eventually(replies, f"{count} replies to message {message_id}")


async def stored_card(client: TestClient, order_id: int) -> TelegramCard | None:
    async with client.app[RUNTIME].sessions() as session:
        return await session.scalar(select(TelegramCard).where(TelegramCard.order_id == order_id))


async def recorded(client: TestClient, order_id: int, message_id: int) -> TelegramCard:
    """The order's card row once it names `message_id`: it is written just after the post
    reaches the group, so a test waits for it rather than racing it."""

    async def stored() -> TelegramCard | None:
        card = await stored_card(client, order_id)
        return card if card is not None and card.message_id == message_id else None

    return await eventually(stored, f"card {message_id} recorded for order {order_id}")


async def test_a_digest_button_posts_the_card_under_the_digest_and_records_it(client, fake):
    orders = client.app[RUNTIME].orders
    first, second = await draft(orders), await draft(orders)
    digest = await post_digest(client, fake, [first, second])
    assert digest.callback_data == [cb.encode(cb.OpenCard(o.id)) for o in (first, second)]

    answer = await tap(client, fake, digest, digest.callback_data[1])

    assert answer["text"] == text("en", "digest.opened", code=second.code)
    [card] = await reply_to(fake, digest.message_id)
    assert second.code in card.text and card.entities
    assert any(f":{second.id}:" in data for data in card.callback_data)
    stored = await recorded(client, second.id, card.message_id)
    assert (stored.chat_id, stored.message_id, stored.version) == (
        GROUP,
        card.message_id,
        second.version,
    )


async def test_a_second_tap_points_at_the_card_rather_than_posting_another(client, fake):
    order = await draft(client.app[RUNTIME].orders)
    digest = await post_digest(client, fake, [order, await draft(client.app[RUNTIME].orders)])
    await tap(client, fake, digest, digest.callback_data[0])
    [card] = await reply_to(fake, digest.message_id)
    await recorded(client, order.id, card.message_id)

    answer = await tap(client, fake, digest, digest.callback_data[0])

    assert answer["text"] == text("en", "digest.card_above", code=order.code)
    [pointer] = await reply_to(fake, card.message_id)
    assert pointer.text == text("en", "digest.card_is_here", code=order.code)
    assert len(await reply_to(fake, digest.message_id)) == 1  # no second card


async def test_a_deleted_card_is_posted_again_from_the_digest(client, fake):
    order = await draft(client.app[RUNTIME].orders)
    digest = await post_digest(client, fake, [order, await draft(client.app[RUNTIME].orders)])
    await tap(client, fake, digest, digest.callback_data[0])
    [card] = await reply_to(fake, digest.message_id)
    await recorded(client, order.id, card.message_id)
    fake.user_deletes(GROUP, card.message_id)

    await tap(client, fake, digest, digest.callback_data[0])

    cards = await reply_to(fake, digest.message_id, count=1)
    [again] = [m for m in cards if m.message_id != card.message_id]
    assert order.code in again.text
    await recorded(client, order.id, again.message_id)


async def test_an_unknown_order_gets_the_not_found_alert(client, fake):
    orders = client.app[RUNTIME].orders
    digest = await post_digest(client, fake, [await draft(orders), await draft(orders)])

    answer = await tap(client, fake, digest, cb.encode(cb.OpenCard(999_999)))

    assert answer["show_alert"] is True
    assert answer["text"] == text("en", "alert.not_found")
    assert len(fake.bot_messages(GROUP)) == 1
