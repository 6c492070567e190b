"""Live comments through real HTTP, on SQLite and PostgreSQL: signed Facebook webhooks in, the
inbox processor applying them, drafts and the comments view out of the JSON API."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from chotdon.app import create_app
from chotdon.cli_live import post_comments
from chotdon.runtime import RUNTIME
from kernel.http import signatures
from kernel.inbox.tables import InboxMessage
from livestream.simulate import SimulatedComment, read_comment, webhook_body
from orders.catalog import import_items, parse_items_csv
from tests.conftest import API_TOKEN, make_settings
from tests.factories import seed_items

SECRET = "s"
PAGE = "100000000000001"
VIDEO = "556677889900"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DEADLINE_S = 60.0
T = TypeVar("T")


@pytest.fixture
async def client(aiohttp_client, db_url: str) -> TestClient:
    settings = make_settings(db_url, facebook_app_secret=SECRET, facebook_page_id=PAGE)
    return await aiohttp_client(create_app(settings, run_worker=False))


async def eventually(check: Callable[[], Awaitable[T | None]], what: str) -> T:
    """The first truthy answer of `check`, asked until the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer = await check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.05)


async def get(client: TestClient, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with client.get(path, headers=kwargs.pop("headers", AUTH), **kwargs) as response:
        return response.status, await response.json()


async def deliver(client: TestClient, *comments: SimulatedComment) -> None:
    body = webhook_body(comments, page_id=PAGE)
    headers = {signatures.HEADER: signatures.sign(SECRET, body)}
    async with client.post("/webhooks/facebook", data=body, headers=headers) as response:
        assert response.status == 200, await response.text()


async def inbox_drained(client: TestClient) -> bool:
    """Every stored body has been handled, successfully."""
    async with client.app[RUNTIME].sessions() as session:
        rows = await session.execute(
            select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
        )
        counts = dict(rows.all())
    assert not counts.get("failed"), counts
    return bool(counts) and set(counts) == {"done"}


async def comments(client: TestClient, video: str = VIDEO, query: str = "") -> list[dict]:
    status, body = await get(client, f"/api/live-sessions/{video}/comments{query}")
    assert status == 200, body
    return body["comments"]


async def orders(client: TestClient, video: str = VIDEO) -> list[dict[str, Any]]:
    status, body = await get(client, f"/api/orders?video_id={video}&limit=200")
    assert status == 200, body
    return body["orders"]


def said(n: int, message: str, buyer: str = "fb-1", verb: str = "add") -> SimulatedComment:
    return SimulatedComment(
        VIDEO, f"{VIDEO}_{n}", buyer, "Trần Ngọc Lan", message, 1_773_489_600 + n, verb
    )


async def test_signed_comments_become_a_draft_and_the_comments_view(client):
    await seed_items(client.app[RUNTIME].sessions)
    await deliver(client, said(2, "A1 2c, B3 1c 0912 345 678"), said(1, "B3 còn không ạ?"))
    await deliver(client, said(3, "Z9", buyer=PAGE), said(4, "đẹp quá 😍", buyer="fb-2"))
    await eventually(lambda: inbox_drained(client), "the inbox is handled")

    shown = await comments(client)
    assert [c["comment_id"] for c in shown] == [f"{VIDEO}_{n}" for n in (1, 2, 3, 4)]
    [order] = await orders(client)
    assert shown[1] == {
        "comment_id": f"{VIDEO}_2",
        "from_id": "fb-1",
        "from_name": "Trần Ngọc Lan",
        "message": "A1 2c, B3 1c 0912 345 678",
        "created_time": "2026-03-14T12:00:02+00:00",
        "verb": "add",
        "intent": "order",
        "lines": [
            {
                "code": "A1",
                "sku": "AO-001",
                "quantity": 2,
                "variant": "",
                "needs_review": False,
                "cancel": False,
            },
            {
                "code": "B3",
                "sku": "QUAN-002",
                "quantity": 1,
                "variant": "",
                "needs_review": False,
                "cancel": False,
            },
        ],
        "phone": "0912345678",
        "address": None,
        "order_id": order["id"],
        "flags": [],
    }
    assert [(c["intent"], c["order_id"], c["flags"]) for c in (shown[0], shown[2], shown[3])] == [
        ("question", None, []),
        ("order", None, ["page_comment"]),
        ("none", None, []),
    ]
    assert (order["customer"]["phone"], order["customer"]["facebook_id"]) == ("0912345678", "fb-1")


async def test_the_comments_view_shows_addresses_and_what_a_cancel_cancels(client):
    await seed_items(client.app[RUNTIME].sessions)
    await deliver(client, said(1, "A1 2, B3 giao 12 Hai Bà Trưng Q1"))
    await deliver(client, said(2, "huỷ B3"), said(3, "dc: 45 Lê Lợi, Bến Thành, Quận 1"))
    await eventually(lambda: inbox_drained(client), "the inbox is handled")

    first, cancel, address = await comments(client)
    [order] = await orders(client)
    assert first["address"] == "12 Hai Bà Trưng Q1"
    assert [(ln["code"], ln["quantity"], ln["cancel"]) for ln in first["lines"]] == [
        ("A1", 2, False),
        ("B3", 1, False),
    ]
    assert (cancel["intent"], cancel["address"]) == ("cancel", None)
    assert cancel["lines"] == [
        {
            "code": "B3",
            "sku": "QUAN-002",
            "quantity": None,
            "variant": "",
            "needs_review": False,
            "cancel": True,
        }
    ]
    assert (address["intent"], address["lines"], address["order_id"]) == ("none", [], order["id"])
    assert address["address"] == "45 Lê Lợi, Bến Thành, Quận 1"
    buyer = order["customer"]
    assert (buyer["address"], buyer["ward"], buyer["province"]) == (
        "45 Lê Lợi",
        "Phường Bến Thành",
        "Thành phố Hồ Chí Minh",
    )
    assert [line["code"] for line in order["lines"]] == ["A1"]
    assert order["address_review"] is False


async def test_the_comments_view_filters_and_refuses_what_it_cannot_answer(client):
    await seed_items(client.app[RUNTIME].sessions)
    await deliver(client, said(1, "A1"), said(2, "Z9 2"), said(3, "giá B3 bao nhiêu"))
    await eventually(lambda: inbox_drained(client), "the inbox is handled")

    def ids(shown: list[dict]) -> list[int]:
        return [int(c["comment_id"].rsplit("_", 1)[1]) for c in shown]

    assert ids(await comments(client, query="?made_order=1")) == [1, 2]
    assert ids(await comments(client, query="?intent=question")) == [3]
    assert ids(await comments(client, query="?unknown_code=1")) == [2]

    status, body = await get(client, f"/api/live-sessions/{VIDEO}/comments?intent=maybe")
    assert (status, body["error"]) == (422, "invalid_input")
    status, body = await get(client, "/api/live-sessions/nope/comments")
    assert (status, body["error"]) == (404, "not_found")
    status, body = await get(client, "/api/live-sessions", headers={})
    assert (status, body["error"]) == (401, "unauthorized")


async def test_the_sample_livestream_makes_one_draft_per_buyer_who_ordered(client):
    csv = (SAMPLES / "items.csv").read_text(encoding="utf-8")
    async with client.app[RUNTIME].sessions.begin() as session:
        await import_items(session, parse_items_csv(csv))
    lines = (SAMPLES / "livestream.jsonl").read_text(encoding="utf-8").splitlines()
    sample = [read_comment(json.loads(line)) for line in lines]
    expected = json.loads((SAMPLES / "livestream.expected.json").read_text(encoding="utf-8"))
    video = expected["video_id"]

    tally = await post_comments(sample, str(client.make_url("/webhooks/facebook")), SECRET, PAGE, 4)
    assert (tally.accepted, tally.refused) == (len(sample), 0)
    await eventually(lambda: inbox_drained(client), "the sample is handled")

    drafts = await orders(client, video)
    by_buyer = Counter(order["customer"]["facebook_id"] for order in drafts)
    assert by_buyer == dict.fromkeys(expected["drafts"], 1)  # one each, only those who ordered
    for order in drafts:
        want = expected["drafts"][order["customer"]["facebook_id"]]
        got = sorted([line["code"], line["quantity"]] for line in order["lines"])
        assert (order["customer"]["name"], got) == (want["name"], want["lines"]), want["name"]
        assert order["customer"]["phone"] == (want["phone"] or ""), want["name"]
        assert all(line["sku"] is None for line in order["lines"] if line["code"] == "Z9")

    shown = await comments(client, video)
    assert len(shown) == len({c.comment_id for c in sample})
    assert [c["created_time"] for c in shown] == sorted(c["created_time"] for c in shown)
    flags = Counter(flag for c in shown for flag in c["flags"])
    assert flags["page_comment"] == 4 and flags["duplicate"] >= 1
    status, body = await get(client, "/api/live-sessions")
    assert status == 200
    [live] = body["live_sessions"]
    assert (live["video_id"], live["comments"], live["drafts"]) == (
        video,
        len(shown),
        len(expected["drafts"]),
    )
    assert {"code": "SP12", "sku": "SET-DO-BO-LUA", "cap": None} in live["codes"]
