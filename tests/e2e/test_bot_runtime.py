"""The staff bot running inside the service, against the local fake Bot API: webhook mode,
long polling, no token at all, and Telegram not answering at start."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

from bot.webhook import SECRET_HEADER
from chotdon.app import create_app
from tests.conftest import make_settings
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram
from tests.helpers import eventually

GROUP = -1001234567890
STAFF = 1001
SECRET = "s3cret-Token_1"
PUBLIC = "https://shop.example"


async def service(aiohttp_client, sqlite_url: str, root: str, **settings: object) -> TestClient:
    values: dict[str, object] = {
        "telegram_bot_token": DEFAULT_TOKEN,
        "telegram_api_url": root,
        "telegram_staff_chat_id": GROUP,
        "public_url": PUBLIC,
    }
    values.update(settings)
    app = create_app(make_settings(sqlite_url, **values), run_worker=False, run_inbox=False)
    return await aiohttp_client(app)


def replies_in(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [message.text or "" for message in fake.bot_messages(chat_id)]


async def test_webhook_mode_registers_the_webhook_and_answers_help(
    root, fake, aiohttp_client, sqlite_url
):
    client = await service(aiohttp_client, sqlite_url, root, telegram_webhook_secret=SECRET)

    webhook = await eventually(lambda: _async(fake.webhook), "setWebhook")
    assert webhook["url"] == f"{PUBLIC}/telegram/webhook"
    assert webhook["secret_token"] == SECRET
    assert {"message", "callback_query"} <= set(webhook["allowed_updates"])
    assert await eventually(lambda: _async(fake.commands), "setMyCommands")

    update = fake.text_update(STAFF, GROUP, "/help")
    answer = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
    assert answer.status == 200 and (await answer.json())["status"] == "queued"

    [reply] = await eventually(lambda: _async(replies_in(fake, GROUP)), "the help reply")
    assert "/orders" in reply and "/debt" in reply  # Vietnamese by default
    assert "danh sách đơn" in reply


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: ""}])
async def test_the_webhook_refuses_a_missing_or_wrong_secret(
    root, fake, aiohttp_client, sqlite_url, headers
):
    client = await service(aiohttp_client, sqlite_url, root, telegram_webhook_secret=SECRET)
    update = fake.text_update(STAFF, GROUP, "/help")

    answer = await client.post("/telegram/webhook", json=update, headers=headers)

    assert answer.status == 403
    assert SECRET_HEADER in (await answer.json())["message"]
    assert replies_in(fake, GROUP) == []


async def test_an_update_that_cannot_be_read_is_answered_and_logged(
    root, fake, aiohttp_client, sqlite_url, caplog
):
    client = await service(aiohttp_client, sqlite_url, root, telegram_webhook_secret=SECRET)
    headers = {SECRET_HEADER: SECRET}

    answer = await client.post("/telegram/webhook", data=b"{not json", headers=headers)

    assert answer.status == 200  # Telegram would otherwise send it again and again
    assert (await answer.json())["status"] == "unreadable"
    assert "cannot be read" in caplog.text


async def test_long_polling_without_a_webhook_secret(root, fake, aiohttp_client, sqlite_url):
    await service(aiohttp_client, sqlite_url, root, language="en")
    fake.text_update(STAFF, GROUP, "/help", queue=True)

    [reply] = await eventually(lambda: _async(replies_in(fake, GROUP)), "the help reply")
    assert "orders by status" in reply
    assert fake.calls_of("deleteWebhook") and fake.calls_of("getUpdates")
    assert fake.webhook is None


async def test_without_a_token_the_bot_is_off_and_the_rest_runs(aiohttp_client, sqlite_url, caplog):
    caplog.set_level(logging.INFO, logger="bot.lifecycle")
    client = await aiohttp_client(
        create_app(make_settings(sqlite_url), run_worker=False, run_inbox=False)
    )

    assert (await client.get("/healthz")).status == 200
    assert "telegram bot: off" in caplog.text
    answer = await client.post("/telegram/webhook", json={"update_id": 1})
    assert answer.status == 403


async def test_telegram_down_at_start_is_retried_and_the_service_answers_meanwhile(
    root, fake, aiohttp_client, sqlite_url, caplog
):
    fake.fail_next("getMe", times=1)

    client = await service(aiohttp_client, sqlite_url, root)

    assert (await client.get("/healthz")).status == 200  # not held up by the bot
    await eventually(lambda: _async(fake.calls_of("getUpdates")), "polling after a retry")
    assert "cannot start" in caplog.text


async def test_a_token_telegram_refuses_leaves_the_bot_off(
    root, fake, aiohttp_client, sqlite_url, caplog
):
    client = await service(aiohttp_client, sqlite_url, root, telegram_bot_token="42:not-the-one")

    await eventually(lambda: _async("refuses TELEGRAM_BOT_TOKEN" in caplog.text), "the log line")
    assert (await client.get("/healthz")).status == 200
    assert fake.calls_of("getUpdates") == []


async def _async(value):
    return value
