"""The card notifier end to end: orders made and changed through the JSON API, the real outbox
worker delivering `order.changed`, and the local fake Bot API as the staff group."""

from __future__ import annotations

import time
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from application.chat_tables import TelegramCard
from bot.notifier import CardNotifier
from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from kernel.outbox.jobs import OutboxJob
from kernel.outbox.worker import Delivery
from orders.outbox import ORDER_CHANGED
from tests.conftest import API_TOKEN, make_settings
from tests.factories import seed_items
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram, Message
from tests.helpers import eventually

GROUP = -1001234567890
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
FAST = Pace(outbox_poll_s=0.05, outbox_backoff_base_s=0.05, outbox_backoff_cap_s=0.1)
CUSTOMER = {
    "name": "Nguyễn Thị Hoa",
    "phone": "0912 345 678",
    "address": "12 Lý Thường Kiệt",
    "ward": "Phường Cửa Nam",
    "district": "",
    "province": "Thành phố Hà Nội",
}


async def service(aiohttp_client, url: str, root: str | None, **settings: object) -> TestClient:
    values: dict[str, object] = {"language": "en"}
    if root is not None:
        values.update(
            telegram_bot_token=DEFAULT_TOKEN, telegram_api_url=root, telegram_staff_chat_id=GROUP
        )
    values.update(settings)
    # No bot application: the notifier works in whichever process runs the outbox worker.
    app = create_app(make_settings(url, **values), run_inbox=False, run_bot=False, pace=FAST)
    client = await aiohttp_client(app)
    await seed_items(app[RUNTIME].sessions)
    return client


async def call(client: TestClient, method: str, path: str, body: Any) -> dict[str, Any]:
    async with client.request(method, path, json=body, headers=AUTH) as response:
        answer = await response.json()
        assert response.status in (200, 201), answer
        return answer


async def new_order(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 2}], "shipping_fee": 30_000}
    return await call(client, "POST", "/api/orders", {**body, **fields})


async def cards(fake: FakeTelegram, count: int = 1) -> list[Message]:
    async def shown() -> list[Message]:
        messages = fake.bot_messages(GROUP)
        return messages if len(messages) >= count else []

    return await eventually(shown, f"{count} card(s) in the group")


async def shows(fake: FakeTelegram, message_id: int, words: str) -> Message:
    async def check() -> Message | None:
        message = fake.message(GROUP, message_id)
        return message if message and words in (message.text or "") else None

    return await eventually(check, f"card {message_id} showing {words!r}")


async def jobs_of(client: TestClient, order_id: int) -> list[OutboxJob]:
    async with client.app[RUNTIME].sessions() as session:
        rows = await session.scalars(
            select(OutboxJob).where(OutboxJob.kind == ORDER_CHANGED).order_by(OutboxJob.id)
        )
        return [job for job in rows if job.payload["order_id"] == order_id]


async def all_done(client: TestClient, order_id: int, status: str = "done") -> list[OutboxJob]:
    async def check() -> list[OutboxJob]:
        jobs = await jobs_of(client, order_id)
        return jobs if jobs and all(job.status == status for job in jobs) else []

    return await eventually(check, f"every order.changed job of order {order_id} {status}")


async def test_a_new_order_gets_one_card_and_every_change_edits_it(
    root, fake, aiohttp_client, db_url
):
    client = await service(aiohttp_client, db_url, root)
    order = await new_order(client)

    [card] = await cards(fake)
    assert order["code"] in card.text and "Draft" in card.text
    assert card.entities  # sent as HTML: the code and status are bold
    assert any(
        f":{order['id']}:" in data or data.endswith(f":{order['id']}")
        for data in card.callback_data
    )
    draft_buttons = card.callback_data
    await all_done(client, order["id"])

    edited = await call(
        client, "PATCH", f"/api/orders/{order['id']}", {"version": 1, "note": "giao buổi tối"}
    )
    await shows(fake, card.message_id, "giao buổi tối")
    await call(
        client,
        "POST",
        f"/api/orders/{order['id']}/actions/create_order",
        {"version": edited["version"]},
    )

    async def buttons_changed() -> bool:
        message = fake.message(GROUP, card.message_id)
        return bool(message and message.callback_data != draft_buttons)

    await eventually(buttons_changed, "the card's buttons follow the status")
    await all_done(client, order["id"])
    assert [m.message_id for m in fake.bot_messages(GROUP)] == [card.message_id]
    assert len(fake.calls_of("sendMessage")) == 1
    assert fake.message(GROUP, card.message_id).edits == 2
    async with client.app[RUNTIME].sessions() as session:
        stored = await session.scalar(select(TelegramCard))
    assert (stored.order_id, stored.chat_id, stored.message_id, stored.version) == (
        order["id"],
        GROUP,
        card.message_id,
        3,
    )


async def test_a_deleted_card_is_posted_again_and_the_new_one_is_edited(
    root, fake, aiohttp_client, sqlite_url
):
    client = await service(aiohttp_client, sqlite_url, root)
    order = await new_order(client)
    [first] = await cards(fake)
    await all_done(client, order["id"])

    fake.user_deletes(GROUP, first.message_id)
    await call(client, "PATCH", f"/api/orders/{order['id']}", {"version": 1, "note": "lần hai"})
    [second] = await cards(fake)
    assert second.message_id != first.message_id and "lần hai" in second.text
    await all_done(client, order["id"])

    await call(client, "PATCH", f"/api/orders/{order['id']}", {"version": 2, "note": "lần ba"})
    await shows(fake, second.message_id, "lần ba")
    assert len(fake.calls_of("sendMessage")) == 2
    assert [m.message_id for m in fake.bot_messages(GROUP)] == [second.message_id]


async def test_a_429_makes_the_card_wait_without_spending_attempts(
    root, fake, aiohttp_client, sqlite_url
):
    client = await service(aiohttp_client, sqlite_url, root)
    fake.fail_next("sendMessage", "too_many", retry_after=1)
    started = time.monotonic()
    order = await new_order(client)

    [card] = await cards(fake)
    assert time.monotonic() - started >= 0.9  # retry_after was honoured, not the fast backoff
    assert order["code"] in card.text
    [job] = await all_done(client, order["id"])
    assert job.attempts == 1
    assert len(fake.refused("sendMessage")) == 1


async def test_a_job_older_than_the_card_changes_nothing(root, fake, aiohttp_client, sqlite_url):
    client = await service(aiohttp_client, sqlite_url, root)
    order = await new_order(client)
    await call(client, "PATCH", f"/api/orders/{order['id']}", {"version": 1, "note": "mới"})
    [card] = await cards(fake)
    await shows(fake, card.message_id, "mới")
    await all_done(client, order["id"])
    calls = len(fake.calls)

    runtime = client.app[RUNTIME]
    late = CardNotifier(runtime.settings, runtime.orders)
    payload = {"order_id": order["id"], "order_code": order["code"], "version": 1}
    await late.deliver(Delivery(1, ORDER_CHANGED, "late", payload, 1))
    await late.aclose()

    assert len(fake.calls) == calls  # not even getMe: the card already shows version 2


async def test_without_a_token_nothing_is_sent_and_the_jobs_are_skipped(
    root, fake, aiohttp_client, sqlite_url
):
    client = await service(aiohttp_client, sqlite_url, None)
    order = await new_order(client)

    await all_done(client, order["id"], "skipped")
    assert fake.calls == []


async def test_telegram_failing_is_retried_with_backoff_and_one_card_arrives(
    root, fake, aiohttp_client, sqlite_url
):
    client = await service(aiohttp_client, sqlite_url, root)
    fake.fail_next("sendMessage", "http500", times=2)
    order = await new_order(client)

    [card] = await cards(fake)
    assert order["code"] in card.text
    [job] = await all_done(client, order["id"])
    assert job.attempts == 3  # two failed attempts counted, as for any passing error
    assert len(fake.refused("sendMessage")) == 2
    assert len(fake.bot_messages(GROUP)) == 1
