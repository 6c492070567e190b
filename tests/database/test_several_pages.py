"""A shop with two Pages (`FACEBOOK_PAGES`), end to end in one process on both databases:
signed webhook bodies through the real route and inbox, the real outbox worker, and the local
fake Graph, which refuses a Page's token on another Page's comments as Graph does. Each live
belongs to the Page that carried it, and that Page's token hides, replies and answers."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient

from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from kernel.tables import utcnow
from livestream.graph import GraphClient, GraphError
from tests.conftest import API_TOKEN, make_settings
from tests.database.test_facebook_webhook import SECRET, facebook_bytes, signed
from tests.factories import seed_items
from tests.fakes.graph import FakeGraph
from tests.helpers import eventually

PAGE_A, TOKEN_A, VIDEO_A = "1111111111", "EAAG-token-of-page-A-aaaa", "700001"
PAGE_B, TOKEN_B, VIDEO_B = "2222222222", "EAAG-token-of-page-B-bbbb", "700002"
PAGE_GONE = "3333333333"  # a Page whose webhooks still arrive but which is not configured
URL = "/webhooks/facebook"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
FAST = Pace(outbox_poll_s=0.02, outbox_backoff_base_s=0.02, outbox_backoff_cap_s=0.1)
LIVE_KEYS = {"video_id", "title", "platform", "page_id", "ordering_open", "opened_at"}
_numbers = itertools.count(1)


@pytest.fixture
def fake() -> FakeGraph:
    graph = FakeGraph(access_token=TOKEN_A, page_id=PAGE_A)
    graph.add_page(PAGE_B, TOKEN_B, "Shop Hoa 2")
    return graph


@pytest.fixture
async def graph_url(fake: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")


async def shop(aiohttp_client, db_url: str, graph_url: str, pages: str) -> TestClient:
    settings = make_settings(
        db_url,
        facebook_app_secret=SECRET,
        facebook_pages=pages,
        facebook_graph_url=graph_url,
        private_reply=True,
    )
    app = create_app(settings, run_worker=True, run_inbox=True, run_bot=False, pace=FAST)
    client = await aiohttp_client(app)
    await seed_items(app[RUNTIME].sessions)
    return client


@pytest.fixture
async def client(aiohttp_client, db_url: str, graph_url: str) -> TestClient:
    return await shop(aiohttp_client, db_url, graph_url, f"{PAGE_A}:{TOKEN_A},{PAGE_B}:{TOKEN_B}")


def comment(fake: FakeGraph, page: str, video: str, buyer: str, message: str) -> dict[str, Any]:
    """A comment on `page`'s live `video`, which the fake Graph knows as that Page's."""
    n = next(_numbers)
    comment_id = f"{video}_{n}"
    fake.add_comment(comment_id, commenter=buyer, page_id=page)
    return {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": comment_id,
            "post_id": f"{page}_{video}",
            "from": {"id": buyer, "name": "Hoa"},
            "message": message,
            "created_time": 1_773_489_600 + n,
        },
    }


async def deliver(client: TestClient, page: str, *, changes=(), messaging=()) -> None:
    entry: dict[str, Any] = {"id": page, "time": int(utcnow().timestamp() * 1000)}
    if changes:
        entry["changes"] = list(changes)
    if messaging:
        entry["messaging"] = list(messaging)
    body = facebook_bytes({"object": "page", "entry": [entry]})
    async with client.post(URL, data=body, headers=signed(body)) as response:
        assert response.status == 200, await response.text()


async def api(client: TestClient, path: str) -> Any:
    async with client.get(path, headers=AUTH) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def orders_of(client: TestClient, video: str) -> list[dict[str, Any]]:
    found = await api(client, f"/api/orders?video_id={video}")
    return [await api(client, f"/api/orders/{o['id']}") for o in found["orders"]]


async def test_each_pages_lives_are_its_own_and_its_token_hides_replies_and_answers(client, fake):
    phone_a = comment(fake, PAGE_A, VIDEO_A, "u1", "A1 0912345678")
    phone_b = comment(fake, PAGE_B, VIDEO_B, "u2", "B3 0987654321")
    await deliver(client, PAGE_A, changes=[phone_a])
    await deliver(client, PAGE_B, changes=[phone_b])

    async def both_hidden_and_answered() -> bool:
        return all(c.hidden and c.replied for c in fake.comments.values())

    await eventually(both_hidden_and_answered, "both phone comments hidden and answered")

    lives = {
        live["video_id"]: live
        for live in (await api(client, "/api/live-sessions"))["live_sessions"]
    }
    assert {video: lives[video]["page_id"] for video in lives} == {
        VIDEO_A: PAGE_A,
        VIDEO_B: PAGE_B,
    }
    for live in lives.values():
        assert set(live) >= LIVE_KEYS
        assert (live["platform"], live["comments"], live["drafts"]) == ("facebook", 1, 1)
        assert live["opened_at"].startswith(str(utcnow().year))

    acted = {(r.path, r.token) for r in fake.requests if r.method == "POST"}
    assert acted == {
        (f"/{phone_a['value']['comment_id']}", TOKEN_A),
        (f"/{PAGE_A}/messages", TOKEN_A),
        (f"/{phone_b['value']['comment_id']}", TOKEN_B),
        (f"/{PAGE_B}/messages", TOKEN_B),
    }

    # The buyer of Page B's live confirms in Messenger: Page B answers, with its own token.
    [draft] = await orders_of(client, VIDEO_B)
    fake.buyer_wrote("psid-u2")
    tap = {
        "sender": {"id": "psid-u2"},
        "recipient": {"id": PAGE_B},
        "timestamp": int(utcnow().timestamp() * 1000),
        "message": {
            "mid": "m_b1",
            "text": "ok",
            "quick_reply": {"payload": f"CONFIRM:{draft['code']}"},
        },
    }
    await deliver(client, PAGE_B, messaging=[tap])

    async def answered() -> bool:
        return bool(fake.messages)

    await eventually(answered, "Page B answers the buyer")
    [answer] = [r for r in fake.requests if r.json and r.json["recipient"].get("id") == "psid-u2"]
    assert (answer.path, answer.token) == (f"/{PAGE_B}/messages", TOKEN_B)


async def test_a_pages_own_comment_orders_nothing_on_another_pages_live(client, fake):
    await deliver(client, PAGE_A, changes=[comment(fake, PAGE_A, VIDEO_A, PAGE_B, "A1")])
    await deliver(client, PAGE_A, changes=[comment(fake, PAGE_A, VIDEO_A, "u9", "A1")])

    async def one_draft() -> list[dict[str, Any]]:
        return await orders_of(client, VIDEO_A)

    [draft] = await eventually(one_draft, "the buyer's draft")
    assert draft["customer"]["facebook_id"] == "u9"


async def test_a_job_for_a_page_no_longer_configured_ends_and_says_why(
    aiohttp_client, db_url, graph_url, fake
):
    client = await shop(aiohttp_client, db_url, graph_url, f"{PAGE_A}:{TOKEN_A}")
    phone = comment(fake, PAGE_GONE, "700003", "u3", "A1 0912345678")
    await deliver(client, PAGE_GONE, changes=[phone])

    async def refused() -> list[dict[str, Any]]:
        [draft] = await orders_of(client, "700003") or [None]
        if draft is None:
            return []
        return [e for e in draft["events"] if e["action"] == "facebook_error"]

    async def both_refused() -> list[dict[str, Any]]:
        found = await refused()
        return found if len(found) == 2 else []

    events = await eventually(both_refused, "the hide and the reply refused for the Page")
    assert {e["details"]["kind"] for e in events} == {
        "facebook.hide_comment",
        "facebook.private_reply",
    }
    for event in events:
        assert event["details"]["page_id"] == PAGE_GONE
        assert f"Page {PAGE_GONE} is not configured" in event["details"]["message"]
    [draft] = await orders_of(client, "700003")
    assert draft["buyer_confirmation"] is None  # never asked, so not waiting for an answer
    assert not fake.comments[phone["value"]["comment_id"]].hidden
    assert [r for r in fake.requests if r.method == "POST"] == []  # no token was tried
    lives = (await api(client, "/api/live-sessions"))["live_sessions"]
    assert [live["page_id"] for live in lives] == [PAGE_GONE]


async def test_the_fake_graph_refuses_a_pages_token_on_another_pages_comment(fake, graph_url):
    fake.add_comment("b_1", commenter="u1", page_id=PAGE_B)
    async with httpx.AsyncClient(trust_env=False) as http:
        wrong = GraphClient(http, base_url=graph_url, access_token=TOKEN_A, page_id=PAGE_A)
        with pytest.raises(GraphError) as refused:
            await wrong.hide_comment("b_1")
        assert (refused.value.code, refused.value.retryable) == (200, False)
        unknown = GraphClient(http, base_url=graph_url, access_token="EAAG-nobody", page_id=PAGE_B)
        with pytest.raises(GraphError) as refused:
            await unknown.hide_comment("b_1")
        assert refused.value.code == 190
        right = GraphClient(http, base_url=graph_url, access_token=TOKEN_B, page_id=PAGE_B)
        await right.hide_comment("b_1")
    assert fake.comments["b_1"].hidden
