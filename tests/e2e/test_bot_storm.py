"""A comment storm against the group's 20 messages a minute, end to end: drafts made through
`OrderService` (outbox job in the same transaction), the real outbox worker and card notifier,
the bot taking taps on `/telegram/webhook`, and the fake Bot API as the staff group, which
answers 429 as Telegram does once a group has had 20 counted calls in its window.

Time is scaled: a "minute" lasts `MINUTE` seconds for both sides, the fake's flood window
(`group_window_s`, and the overall second as a sixtieth of it) and the notifier's limiter
(`Pace.telegram_minute_s`, which scales its buckets, holds and delays alike). The code paths
are the production ones; only the constants shrink, so that 600 drafts "in a minute" take
`MINUTE` seconds of CI. The database is not scaled: it has to keep up for real.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from application.chat_tables import TelegramCard
from bot.lifecycle import BOT
from bot.notifier import CARDS
from bot.strings import text
from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from kernel.outbox.jobs import OutboxJob
from orders.actors import Actor
from orders.changes import OrderChanges
from orders.drafts import Buyer
from orders.outbox import ORDER_CHANGED
from orders.staff import add_staff
from tests.conftest import API_TOKEN, GROUP, STAFF, bot_settings, tap
from tests.factories import BUYER, draft, seed_items
from tests.fakes.telegram import FakeTelegram, Message
from tests.helpers import DEADLINE_S, eventually
from tests.storm import counted, is_digest, most_in_any_window, reachable, too_many

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
# Seconds standing for one of Telegram's minutes. The CPU is not scaled: at 12 s a loaded 2-core
# machine made the notifier's own work per draft the bottleneck (drafts reachable after 12-15
# s); at 24 s it has twice the room and the pacing, not the machine, is what is tested.
MINUTE = 24.0
DRAFTS = 600


def pace(minute: float) -> Pace:
    return Pace(
        outbox_poll_s=0.05,
        outbox_backoff_base_s=0.05,
        outbox_backoff_cap_s=0.1,
        telegram_minute_s=minute,
    )


def scaled_fake(minute: float) -> FakeTelegram:
    return FakeTelegram(group_window_s=minute, overall_window_s=minute / 60)


@pytest.fixture
def fake() -> FakeTelegram:
    return scaled_fake(MINUTE)


async def shop(aiohttp_client, url: str, root: str, *, minute: float, bot: bool) -> TestClient:
    settings = bot_settings(
        url,
        root,
        language="en",
    )
    app = create_app(settings, run_inbox=False, run_bot=bot, pace=pace(minute))
    client = await aiohttp_client(app)
    runtime = app[RUNTIME]
    await seed_items(runtime.sessions)
    async with runtime.sessions.begin() as session:
        await add_staff(session, STAFF, "Lan", "sales")
    if bot:
        await asyncio.wait_for(app[BOT].started.wait(), DEADLINE_S)
    return client


def buyer(n: int) -> Buyer:
    """A buyer of their own per draft, as a live's comments come from many people."""
    return replace(BUYER, name=f"Khách {n}", phone=f"09{n:08d}", facebook_id=f"fb-storm-{n}")


async def jobs(client: TestClient) -> list[OutboxJob]:
    async with client.app[RUNTIME].sessions() as session:
        return list(await session.scalars(select(OutboxJob).where(OutboxJob.kind == ORDER_CHANGED)))


async def test_a_storm_of_600_drafts_in_a_minute_ends_with_every_draft_reachable_in_a_minute(
    root, fake, aiohttp_client, sqlite_url
):
    """On the embedded SQLite, the slower of the two databases to keep up with 75 drafts a
    second (PostgreSQL runs the same storm in about 60% of the time)."""
    client = await shop(aiohttp_client, sqlite_url, root, minute=MINUTE, bot=True)
    orders = client.app[RUNTIME].orders
    created: dict[int, float] = {}
    start = time.monotonic()
    limit = asyncio.Semaphore(8)

    async def one(n: int) -> None:
        # The load's own clock: draft n is due at n/600 of the minute.
        await asyncio.sleep(max(0.0, start + n * MINUTE / DRAFTS - time.monotonic()))
        async with limit:
            order = await draft(orders, buyer=buyer(n))
        created[order.id] = time.monotonic()

    await asyncio.gather(*(one(n) for n in range(DRAFTS)))
    made = time.monotonic() - start
    assert made < 1.5 * MINUTE, f"the database made 600 drafts in {made:.1f} s: too slow to test"

    async def all_reachable() -> dict[int, float]:
        shown = reachable(fake, GROUP)
        return shown if set(created) <= set(shown) else {}

    shown = await eventually(all_reachable, "every draft reachable", deadline_s=3 * MINUTE)
    late = {i: shown[i] - created[i] for i in created if shown[i] - created[i] > MINUTE}
    assert not late, f"{len(late)} drafts reachable only after a minute: {late}"
    assert not [c for c in too_many(fake) if c.received > start + MINUTE]
    assert most_in_any_window((c.at for c in counted(fake, GROUP)), MINUTE) <= 20
    digests = [m for m in fake.bot_messages(GROUP) if is_digest(m)]
    assert digests and len(fake.bot_messages(GROUP)) < DRAFTS / 10

    async def delivered() -> bool:
        return all(job.status == "done" for job in await jobs(client))

    await eventually(delivered, "every order.changed job done", deadline_s=2 * MINUTE)
    assert client.app[CARDS].digests.ready_in() is None  # the queue is empty again

    # A digest's button opens the draft's card, as a reply to the digest, and from then on the
    # notifier edits that card.
    digest = digests[-1]
    data = digest.callback_data[-1]
    order_id = int(data.split(":")[1])
    answer = await tap(client, fake, digest, data)
    assert not answer.get("show_alert")

    async def opened() -> Message | None:
        for message in fake.bot_messages(GROUP):
            if message.reply_to_message_id == digest.message_id:
                return message
        return None

    card = await eventually(opened, "the card posted under the digest")
    order = await orders.detail(order_id)
    assert order.code in (card.text or "")

    async def recorded() -> bool:  # written just after the post reaches the group
        async with client.app[RUNTIME].sessions() as session:
            query = select(TelegramCard).where(TelegramCard.order_id == order_id)
            row = await session.scalar(query)
        return row is not None and row.message_id == card.message_id

    await eventually(recorded, "the opened card recorded as the order's")

    await orders.act(order_id, "cancel", actor=Actor.api(), version=order.version)

    async def edited() -> bool:
        message = fake.message(GROUP, card.message_id)
        return bool(message and text("en", "status.cancelled") in (message.text or ""))

    await eventually(edited, "the opened card edited by the notifier", deadline_s=2 * MINUTE)
    assert not [c for c in too_many(fake) if c.received > start + MINUTE]

    # A listed draft that changes once the storm is over gets a card of its own.
    other = next(
        int(d.split(":")[1]) for d in digest.callback_data if int(d.split(":")[1]) != order_id
    )
    listed = await orders.detail(other)
    await orders.act(
        other,
        "edit",
        actor=Actor.api(),
        version=listed.version,
        changes=OrderChanges(note="gọi trước khi giao"),
    )

    async def own_card() -> TelegramCard | None:
        async with client.app[RUNTIME].sessions() as session:
            return await session.scalar(select(TelegramCard).where(TelegramCard.order_id == other))

    posted = await eventually(own_card, "a card for the changed draft", deadline_s=2 * MINUTE)
    message = fake.message(GROUP, posted.message_id)
    assert message is not None and "gọi trước khi giao" in (message.text or "")


async def test_a_burst_of_changes_while_the_group_is_blocked_ends_in_one_or_two_edits(
    root, fake, aiohttp_client, db_url
):
    """The first edit meets a 429 with retry_after=1: the limiter blocks the group for that
    second (no call reaches Telegram before it), and the ten changes made meanwhile come out
    as one edit drawing the last of them, not ten."""
    client = await shop(aiohttp_client, db_url, root, minute=MINUTE, bot=False)
    orders = client.app[RUNTIME].orders
    order = await draft(orders)

    async def card() -> Message | None:
        messages = fake.bot_messages(GROUP)
        return messages[0] if messages else None

    posted = await eventually(card, "the card")
    fake.fail_next("editMessageText", "too_many", retry_after=1)
    version = order.version
    for n in range(10):
        async with client.patch(
            f"/api/orders/{order.id}",
            json={"version": version, "note": f"lần {n}"},
            headers=AUTH,
        ) as response:
            assert response.status == 200
            version = (await response.json())["version"]
        if n == 0:
            await eventually(lambda: _async(too_many(fake)), "the first edit refused")

    async def shows_the_last() -> bool:
        message = fake.message(GROUP, posted.message_id)
        return bool(message and "lần 9" in (message.text or ""))

    await eventually(shows_the_last, "the card showing the last change")
    [refused] = too_many(fake)
    after = [c for c in fake.calls if c.received > refused.received and c.params.get("chat_id")]
    assert after and after[0].received >= refused.received + 1.0  # blocked for retry_after
    edits = [c for c in fake.calls_of("editMessageText") if c.ok]
    assert 1 <= len(edits) <= 2
    assert fake.message(GROUP, posted.message_id).edits == len(edits)

    async def delivered() -> list[OutboxJob]:
        done = await jobs(client)
        return done if all(job.status == "done" for job in done) else []

    finished = await eventually(delivered, "every job done")
    assert len(finished) == 11 and all(job.attempts <= 1 for job in finished)


async def _async(value: Any) -> Any:
    return value
