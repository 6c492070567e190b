"""Bodies built to hurt, through the running service on SQLite and PostgreSQL: whatever an
authenticated sender puts in a body is answered without a 5xx, a body that cannot be recorded
is parked (`failed`, with a reason a person can read) instead of holding up the line, and the
comment sent after it still becomes a draft, also after a restart."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.lifecycle import BOT
from bot.webhook import SECRET_HEADER
from chotdon.runtime import RUNTIME
from orders.tables import CarrierUpdate, Order
from tests.carrier_shop import GHN_WEBHOOK_TOKEN, GHTK_HASH, VTP_WEBHOOK_TOKEN, Shop, open_shop
from tests.conftest import GROUP
from tests.conftest import SECRET as TELEGRAM_SECRET
from tests.fakes.telegram import DEFAULT_TOKEN
from tests.helpers import DEADLINE_S, eventually
from tests.test_facebook_webhook import PAGE, SECRET, comment, envelope, facebook_bytes, signed
from webhooks.processor import DONE, FAILED
from webhooks.tables import InboxMessage

DEEP = 100_000
_numbers = itertools.count(1)


@asynccontextmanager
async def shop_on(db_url: str, **settings: object) -> AsyncIterator[Shop]:
    """The whole service (receivers, inbox processor, outbox worker) with Facebook set up."""
    async with open_shop(
        db_url, facebook_app_secret=SECRET, facebook_page_id=PAGE, **settings
    ) as shop:
        yield shop


async def drafts(shop: Shop) -> int:
    async with shop.app[RUNTIME].sessions() as session:
        query = select(func.count()).select_from(Order).where(Order.status == "draft")
        return await session.scalar(query) or 0


async def a_comment_becomes_a_draft(shop: Shop) -> None:
    """A new buyer's signed order comment, and the wait for the draft it makes."""
    before = await drafts(shop)
    n = next(_numbers)
    body = facebook_bytes(envelope(_from_new_buyer(comment(n, "A1 1"), n)))
    async with shop.client.post("/webhooks/facebook", data=body, headers=signed(body)) as answer:
        assert answer.status == 200

    async def made() -> bool:
        return await drafts(shop) > before

    await eventually(made, f"the draft of comment {n}, sent after the poison")


def _from_new_buyer(change: dict[str, Any], n: int) -> dict[str, Any]:
    value = change["value"]
    value["from"] = {"id": f"buyer-{n}", "name": f"Khách {n}"}
    value["comment_id"] = f"{value['post_id']}_c{n}"
    return change


async def rows(shop: Shop) -> list[InboxMessage]:
    async with shop.app[RUNTIME].sessions() as session:
        return list(await session.scalars(select(InboxMessage).order_by(InboxMessage.id)))


async def carrier_post(
    shop: Shop, carrier: str, body: bytes, content_type: str = "application/json"
) -> int:
    query = {"ghn": {"token": GHN_WEBHOOK_TOKEN}, "ghtk": {"hash": GHTK_HASH}}.get(carrier, {})
    async with shop.client.post(
        f"/webhooks/carriers/{carrier}",
        data=body,
        params=query,
        headers={"Content-Type": content_type},
    ) as answer:
        return answer.status


def nested(key: str, depth: int = DEEP) -> bytes:
    return b'{"' + key.encode() + b'": ' + b"[" * depth + b"]" * depth + b"}"


# The bodies of the issue: each was stored and answered 200, then held up every later body. A
# report that can be read is applied with its text made storable (for no order of ours, here).
POISON = [
    ("ghn", rb'{"OrderCode": "\ud800"}', FAILED),
    ("ghn", rb'{"OrderCode": "A\u0000B"}', FAILED),
    ("ghn", rb'{"OrderCode": "A\u0000B", "Status": "picking", "Time": 1750000000}', DONE),
    ("ghtk", rb'{"label_id": "\ud800", "status_id": 5}', FAILED),
    ("ghtk", rb'{"label_id": "S1\ud800\u0000", "status_id": 5, "action_time": 1750000000}', DONE),
    ("ghn", nested("OrderCode"), FAILED),
    ("ghtk", nested("label_id"), FAILED),
]


@pytest.mark.parametrize(
    ("carrier", "body", "outcome"), POISON, ids=[f"{c}-{b[:40]!r}" for c, b, _ in POISON]
)
async def test_a_carrier_body_that_cannot_be_recorded_is_settled_and_the_line_flows_on(
    db_url: str, carrier: str, body: bytes, outcome: str
):
    async with shop_on(db_url) as shop:
        assert await carrier_post(shop, carrier, body) == 200

        await a_comment_becomes_a_draft(shop)

        [poison, good] = await shop.settled(2)
        assert (poison.source, poison.status, good.status) == (f"carrier:{carrier}", outcome, DONE)
        assert poison.attempts == 1, "settled at the first attempt: nothing to retry"
        assert poison.body == body, "what the carrier said is kept as it came"
        if outcome == FAILED:
            assert poison.last_error and poison.last_error.startswith("unprocessable: ")
        else:
            [kept] = await carrier_updates(shop)
            assert kept.outcome == "unknown_order" and "\x00" not in (kept.tracking_code or "")

    async with shop_on(db_url) as restarted:
        await a_comment_becomes_a_draft(restarted)
        assert [row.status for row in await rows(restarted)] == [outcome, DONE, DONE]


async def carrier_updates(shop: Shop) -> list[CarrierUpdate]:
    async with shop.app[RUNTIME].sessions() as session:
        return list(await session.scalars(select(CarrierUpdate)))


@pytest.mark.parametrize("token", [r'"\ud800"', '"A\\u0000B"', "[1]", "5", "null", '"é"'])
async def test_a_viettel_post_token_of_any_shape_is_401_and_nothing_is_stored(
    db_url: str, token: str
):
    async with shop_on(db_url) as shop:
        body = b'{"TOKEN": ' + token.encode() + b', "DATA": {}}'
        assert await carrier_post(shop, "viettelpost", body) == 401
        assert await carrier_post(shop, "viettelpost", b"[" * DEEP) == 401
        assert await carrier_post(shop, "viettelpost", nested("TOKEN")) == 401
        assert await shop.inbox_count() == 0


async def test_a_viettel_post_body_too_deep_to_read_its_token_is_401(db_url: str):
    """Its secret is inside the body: a body that cannot be read shows no secret."""
    async with shop_on(db_url) as shop:
        tail = b'"DATA": ' + b"[" * 5000 + b"]" * 5000
        body = b'{"TOKEN": "' + VTP_WEBHOOK_TOKEN.encode() + b'", ' + tail + b"}"
        assert await carrier_post(shop, "viettelpost", body) == 401
        assert await shop.inbox_count() == 0


# Telegram: the right secret, an update that cannot be read


@asynccontextmanager
async def shop_with_bot(db_url: str, root: str) -> AsyncIterator[Shop]:
    async with shop_on(
        db_url,
        telegram_bot_token=DEFAULT_TOKEN,
        telegram_api_url=root,
        telegram_staff_chat_id=GROUP,
        telegram_webhook_secret=TELEGRAM_SECRET,
        public_url="https://shop.example",
    ) as shop:
        await asyncio.wait_for(shop.app[BOT].started.wait(), DEADLINE_S)
        yield shop


async def telegram_post(shop: Shop, body: bytes, secret: str = TELEGRAM_SECRET) -> int:
    headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
    async with shop.client.post("/telegram/webhook", data=body, headers=headers) as answer:
        return answer.status


UNREADABLE_UPDATES = [
    b"[1]",
    b"null",
    b'{"update_id": 1, "message": 5}',
    b'{"update_id": "x", "message": {"chat": []}}',
    b"[" * DEEP,
    b'{"update_id": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b"\xff\xfe not json",
    b"",
]


async def test_an_update_with_the_right_secret_that_cannot_be_read_is_200_and_one_line(
    db_url: str, root: str, caplog: pytest.LogCaptureFixture
):
    async with shop_with_bot(db_url, root) as shop:
        for body in UNREADABLE_UPDATES:
            caplog.clear()
            assert await telegram_post(shop, body) == 200, body[:40]
            lines = [r for r in caplog.records if r.name == "bot.webhook"]
            assert len(lines) == 1 and lines[0].levelno == logging.WARNING, body[:40]
            assert all(record.exc_info is None for record in caplog.records), body[:40]
        await a_comment_becomes_a_draft(shop)
