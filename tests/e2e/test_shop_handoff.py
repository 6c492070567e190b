""" "Send to shop" over HTTP: the order handed to a POS on loopback as signed JSON, through the
outbox, retried until the POS answers, under one idempotency key; refusals and the lack of a
POS URL end on the order, not in a loop."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from orders.outbox import SHOP_HANDOFF
from tests.carrier_shop import POS_SECRET, Shop, open_shop
from tests.helpers import eventually


@pytest.fixture
async def shop(db_url: str) -> AsyncIterator[Shop]:
    async with open_shop(db_url) as shop:
        yield shop


@pytest.fixture
async def sqlite_shop(sqlite_url: str) -> AsyncIterator[Shop]:
    async with open_shop(sqlite_url) as shop:
        yield shop


def handoffs(order: dict) -> list[dict]:
    return [e for e in order["events"] if e["action"] in ("handed_to_shop", "handoff_failed")]


async def test_the_hand_off_is_retried_until_the_pos_answers_and_arrives_once_signed(shop: Shop):
    pos = shop.fakes.pos
    pos.down_for = 2  # restarting: two 503s first
    order = await shop.act(await shop.create(), "create_order")

    sent = await shop.act(order, "send_to_shop")

    assert sent["status"] == "sent_to_shop"
    done = await shop.wait_for(order["id"], handoffs, "the POS taking the order")
    [event] = handoffs(done)
    assert (event["action"], event["source"], event["actor"]) == (
        "handed_to_shop",
        "system",
        "shop-pos",
    )
    assert event["details"] == {"http_status": 201}
    key = f"{SHOP_HANDOFF}:{order['code']}"
    assert pos.keys == [key, key, key]  # one key for every try of this hand-off
    assert pos.refused_signatures == 0
    assert list(pos.orders) == [key]  # one order at the POS
    received = pos.orders[key]
    assert (received["event"], received["idempotency_key"]) == ("order.sent_to_shop", key)
    handed = received["order"]
    assert (handed["id"], handed["code"], handed["status"]) == (
        order["id"],
        order["code"],
        "sent_to_shop",
    )
    assert handed["total"] == 650_000 and handed["customer"]["phone"] == "0903123456"
    assert [(line["sku"], line["quantity"]) for line in handed["lines"]] == [
        ("AO-001", 2),
        ("QUAN-002", 1),
    ]
    [job] = await shop.finished_jobs(SHOP_HANDOFF)
    assert (job.status, job.attempts) == ("done", 3)


async def test_a_pos_with_another_secret_refuses_and_the_order_says_so(sqlite_url: str):
    async with open_shop(sqlite_url, shop_handoff_secret="not-the-pos-secret") as shop:
        order = await shop.act(await shop.create(), "send_to_shop")

        after = await shop.wait_for(order["id"], handoffs, "the POS's answer")

        [event] = handoffs(after)
        assert event["action"] == "handoff_failed"
        assert "the POS answered HTTP 401" in event["details"]["message"]
        assert "bad signature" in event["details"]["message"]
        assert shop.fakes.pos.refused_signatures == 1 and shop.fakes.pos.orders == {}
        [job] = await shop.finished_jobs(SHOP_HANDOFF)
        assert (job.status, job.attempts) == ("dead", 1)  # a refusal is not retried


async def test_a_pos_that_stays_down_is_given_up_on_and_the_order_says_so(sqlite_shop: Shop):
    shop = sqlite_shop
    shop.fakes.pos.down_for = 10_000
    order = await shop.act(await shop.create(), "send_to_shop")

    after = await shop.wait_for(order["id"], handoffs, "the last try")

    [event] = handoffs(after)
    assert event["action"] == "handoff_failed"
    assert event["details"]["gave_up"] is True and event["details"]["attempts"] == 10
    assert "HTTP 503" in event["details"]["message"]
    assert shop.fakes.pos.deliveries == 10 and shop.fakes.pos.orders == {}


async def test_without_a_pos_url_send_to_shop_only_changes_the_order(sqlite_url: str):
    async with open_shop(sqlite_url, shop_handoff_url=None) as shop:
        order = await shop.act(await shop.create(), "create_order")

        sent = await shop.act(order, "send_to_shop")

        assert sent["status"] == "sent_to_shop"

        async def skipped() -> list:
            return [job for job in await shop.jobs(SHOP_HANDOFF) if job.status == "skipped"]

        [job] = await eventually(skipped, "the hand-off job passed over")
        assert "feature not configured" in job.last_error
        assert shop.fakes.pos.deliveries == 0
        after = await shop.order(order["id"])
        assert (after["status"], handoffs(after)) == ("sent_to_shop", [])


def readme_verifier():
    """The verification snippet the README gives POS developers, as they would paste it."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Carriers and send to shop", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # our own documentation
    return scope["chotdon_signature_ok"]


async def test_the_readmes_snippet_verifies_a_real_hand_off_and_nothing_else(sqlite_shop: Shop):
    shop = sqlite_shop
    order = await shop.act(await shop.create(), "send_to_shop")
    await shop.wait_for(order["id"], handoffs, "the hand-off")
    [body], [signature] = shop.fakes.pos.bodies, shop.fakes.pos.signatures
    verify = readme_verifier()

    assert verify(POS_SECRET, body, signature)
    assert not verify("another secret", body, signature)
    assert not verify(POS_SECRET, body.replace(b"650000", b"1"), signature)
    assert not verify(POS_SECRET, body, None)
    # Verified on the bytes as received: the same JSON spelled differently does not match.
    respelled = json.dumps(json.loads(body)).encode()
    assert respelled != body and not verify(POS_SECRET, respelled, signature)
    assert signature == "sha256=" + hmac.new(POS_SECRET.encode(), body, hashlib.sha256).hexdigest()
    # The README's description of the body is what arrives.
    document = json.loads(body)
    assert set(document) == {"event", "idempotency_key", "order"}
    assert document["event"] == "order.sent_to_shop"
    assert (
        document["idempotency_key"] == shop.fakes.pos.keys[0] == f"{SHOP_HANDOFF}:{order['code']}"
    )
    assert "Trần Văn Nam".encode() in body  # UTF-8 as is, not escaped
    assert document["order"] == {
        **await shop.order(order["id"]),
        "events": document["order"]["events"],
    }
