"""The bot's `/web` and the card's Mini App button against the local fake Bot API: the link
sent privately, refused to strangers, and the edit menu opening the Mini App."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient
from telegram.constants import ParseMode

from bot import callbacks as cb
from bot.cards import card_text
from bot.keyboards import card_keyboard
from bot.lifecycle import BOT
from bot.strings import text
from bot.webhook import SECRET_HEADER
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from tests.conftest import GROUP, SECRET, bot_settings
from tests.database.test_web_auth import (
    LINK,
    MANAGER,
    PUBLIC,
    SALES,
    STRANGER,
    Browser,
    add_people,
    whoami,
)
from tests.factories import order_in, seed_items
from tests.fakes.telegram import FakeTelegram, Message
from tests.helpers import eventually

# -- the bot's /web ---------------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram(group_limit=1000, overall_limit=1000)


@pytest.fixture
async def root(fake: FakeTelegram, aiohttp_server) -> AsyncIterator[str]:
    """Asked for before `aiohttp_client`, so the fake outlives the service."""
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.release()


@pytest.fixture
async def bot_client(root, fake, aiohttp_client, sqlite_url) -> TestClient:
    settings = bot_settings(
        sqlite_url,
        root,
        public_url=PUBLIC,
        telegram_miniapp_url="https://t.me/chotdon_test_bot/app",
    )
    app = create_app(settings, run_worker=False, run_inbox=False)
    app.router.add_get("/whoami", whoami)
    client = await aiohttp_client(app, cookie_jar=DummyCookieJar())
    await add_people(client)
    await asyncio.wait_for(app[BOT].started.wait(), 10)
    return client


async def say(client: TestClient, fake: FakeTelegram, user: int, chat: int, words: str) -> Message:
    """`user` types `words` in `chat`; the bot's reply to it there."""
    update = fake.text_update(fake.user(user), chat, words)
    said = update["message"]["message_id"]
    answer = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
    assert answer.status == 200

    async def replied() -> Message | None:
        return next((m for m in fake.bot_messages(chat) if m.reply_to_message_id == said), None)

    return await eventually(replied, f"the bot's reply to {words!r}")


async def test_web_in_the_group_sends_the_link_privately(bot_client: TestClient, fake):
    reply = await say(bot_client, fake, SALES, GROUP, "/web")
    assert reply.text == text("vi", "web.sent_private", name="Lan")
    assert not any(LINK.search(m.text or "") for m in fake.chat(GROUP))
    private = fake.bot_messages(SALES)
    assert len(private) == 1
    match = LINK.search(private[0].text or "")
    assert match, private[0].text
    (sent,) = [c for c in fake.calls_of("sendMessage") if c.params["chat_id"] == SALES]
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    browser = Browser(bot_client)
    assert (await browser.get(f"/login/{match.group(1)}")).status == 303
    assert (await browser.get("/whoami")).status == 200


async def test_web_says_how_to_start_the_bot_when_telegram_refuses(bot_client: TestClient, fake):
    fake.never_started.add(SALES)
    reply = await say(bot_client, fake, SALES, GROUP, "/web")
    assert reply.text == text("vi", "web.start_private", name="Lan", bot=f"@{fake.username}")
    assert [c.status for c in fake.calls_of("sendMessage") if c.params["chat_id"] == SALES] == [403]
    assert not any(LINK.search(m.text or "") for m in fake.chat(GROUP))


async def test_web_in_a_private_chat_answers_with_the_link(bot_client: TestClient, fake):
    update = fake.text_update(fake.user(MANAGER), MANAGER, "/web")
    answer = await bot_client.post(
        "/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
    )
    assert answer.status == 200

    async def answered() -> list[Message]:
        return fake.bot_messages(MANAGER)

    (reply,) = await eventually(answered, "the bot's answer in the private chat")
    assert LINK.search(reply.text or "")


async def test_web_refuses_someone_not_on_staff(bot_client: TestClient, fake):
    reply = await say(bot_client, fake, STRANGER, GROUP, "/web")
    assert reply.text == text("vi", "cmd.not_staff")
    assert not fake.bot_messages(STRANGER)
    async with bot_client.server.app[RUNTIME].sessions() as session:
        from sqlalchemy import func, select

        from application.web_login_tables import WebLoginLink

        assert await session.scalar(select(func.count()).select_from(WebLoginLink)) == 0


async def test_the_cards_edit_menu_opens_the_mini_app(bot_client: TestClient, fake):
    runtime = bot_client.server.app[RUNTIME]
    await seed_items(runtime.sessions)
    order = await order_in(runtime.orders, "draft")
    bot = bot_client.server.app[BOT].application.bot
    sent = await bot.send_message(
        GROUP, card_text(order), parse_mode=ParseMode.HTML, reply_markup=card_keyboard(order)
    )
    data = cb.encode(cb.EditMenu(order.id, order.version))
    update = fake.callback_update(fake.user(SALES), GROUP, sent.message_id, data)
    answer = await bot_client.post(
        "/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
    )
    assert answer.status == 200

    async def menu() -> Message | None:
        now = fake.message(GROUP, sent.message_id)
        return now if now is not None and now.edits else None

    edited = await eventually(menu, "the edit menu")
    urls = [b["url"] for b in edited.buttons if "url" in b]
    assert urls == [f"https://t.me/chotdon_test_bot/app?startapp=order_{order.id}"]
    assert not fake.refused("editMessageReplyMarkup")
