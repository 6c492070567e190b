"""A live that opens itself tells the staff group, and the group can stop ordering with one tap:
signed `live_videos` webhook -> inbox -> the outbox job asking the fake Graph -> the notifier
posting to the fake Bot API -> a tap posted back to `/telegram/webhook`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.lifecycle import BOT
from bot.strings import text
from bot.webhook import SECRET_HEADER
from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from livestream.tables import LiveSession
from orders.staff import add_staff
from tests.conftest import API_TOKEN, GROUP, SECRET, bot_settings
from tests.database.test_facebook_webhook import SECRET as APP_SECRET
from tests.database.test_facebook_webhook import facebook_bytes, signed
from tests.factories import seed_items
from tests.fakes.graph import FakeGraph
from tests.fakes.telegram import FakeTelegram, Message
from tests.helpers import DEADLINE_S, eventually

PAGE = "1122334455"
TOKEN = "EAAG-page-token"
LIVE_ID = "555000111"
VIDEO = "998877"
STAFF = 1001
STRANGER = 2002
FAST = Pace(outbox_poll_s=0.02, outbox_backoff_base_s=0.02, outbox_backoff_cap_s=0.1)


@pytest.fixture
async def graph(aiohttp_server) -> AsyncIterator[tuple[FakeGraph, str]]:
    fake = FakeGraph(access_token=TOKEN, page_id=PAGE)
    server = await aiohttp_server(fake.app())
    yield fake, str(server.make_url("")).rstrip("/")
    fake.release()


@pytest.fixture
async def client(root, graph, aiohttp_client, sqlite_url) -> TestClient:
    _, graph_url = graph
    settings = bot_settings(
        sqlite_url,
        root,
        facebook_app_secret=APP_SECRET,
        facebook_page_access_token=TOKEN,
        facebook_graph_url=graph_url,
        facebook_page_id=PAGE,
    )
    client = await aiohttp_client(create_app(settings, pace=FAST))
    runtime = client.server.app[RUNTIME]
    await seed_items(runtime.sessions)
    async with runtime.sessions.begin() as session:
        await add_staff(session, STAFF, "Lan", "sales")
    await asyncio.wait_for(client.server.app[BOT].started.wait(), DEADLINE_S)
    return client


async def went_live(client: TestClient, fake_graph: FakeGraph, title: str) -> None:
    fake_graph.add_live(LIVE_ID, VIDEO, title=title)
    change = {"field": "live_videos", "value": {"id": LIVE_ID, "status": "live"}}
    body = facebook_bytes(
        {"object": "page", "entry": [{"id": PAGE, "time": 1, "changes": [change]}]}
    )
    async with client.post("/webhooks/facebook", data=body, headers=signed(body)) as answer:
        assert answer.status == 200


async def group_message(fake: FakeTelegram, words: str) -> Message:
    async def posted() -> Message | None:
        return next((m for m in fake.chat(GROUP) if m.text and words in m.text), None)

    return await eventually(posted, f"a message with {words!r} in the group")


async def tap(client: TestClient, fake: FakeTelegram, user: int, message: Message) -> dict:
    [data] = message.callback_data
    update = fake.callback_update(fake.user(user), GROUP, message.message_id, data)
    answer = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
    assert answer.status == 200
    query_id = update["callback_query"]["id"]

    async def answered() -> dict[str, Any] | None:
        return fake.callback_answers.get(query_id)

    return await eventually(answered, "the tap's answer")


async def live(client: TestClient) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with client.get("/api/live-sessions", headers=headers) as answer:
        [row] = (await answer.json())["live_sessions"]
        return row


async def test_the_group_is_told_a_live_opened_and_staff_stop_ordering_with_a_tap(
    client, fake, graph
):
    fake_graph, _ = graph
    await went_live(client, fake_graph, "Xả kho <áo> thun")

    message = await group_message(fake, "Live đã bắt đầu")
    assert "Xả kho <áo> thun" in (message.text or "")
    assert VIDEO in (message.text or "") and "2 mã hàng" in (message.text or "")
    async with client.server.app[RUNTIME].sessions() as session:
        live_id = await session.scalar(select(LiveSession.id).where(LiveSession.video_id == VIDEO))
    assert message.callback_data == [f"stop:{live_id}"]
    assert (await live(client))["ordering_open"] is True

    refused = await tap(client, fake, STRANGER, message)
    assert refused["show_alert"] is True and refused["text"] == text("vi", "alert.not_staff")
    assert (await live(client))["ordering_open"] is True

    answer = await tap(client, fake, STAFF, message)
    assert "Đã dừng nhận đơn" in answer["text"]
    assert (await live(client))["ordering_open"] is False

    async def marked() -> bool:
        now = fake.message(GROUP, message.message_id)
        return now is not None and "Đã dừng nhận đơn (Lan)" in (now.text or "")

    await eventually(marked, "the message says who stopped ordering")
    after = fake.message(GROUP, message.message_id)
    assert after is not None and after.callback_data == []
