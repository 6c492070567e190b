"""Catch-up polling in one process on both databases: the real app with its inbox processor and
comment poller, signed webhook bodies through the real route, and the local fake Graph serving
`/{video}/comments` with real paging, rate-limit errors and usage headers. What a shop would
notice: a comment the webhook never delivered still becomes a draft, once."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from application.live_ordering import open_ordering
from chotdon.app import POLLER, create_app
from chotdon.runtime import RUNTIME, Pace
from kernel.tables import utcnow
from livestream.tables import Comment, LiveSession
from orders.tables import Order, OrderLine
from tests.conftest import make_settings
from tests.database.test_facebook_webhook import SECRET, facebook_bytes, signed
from tests.factories import seed_items
from tests.fakes.graph import FakeGraph
from tests.helpers import eventually

PAGE = "1122334455"
VIDEO = "5566778899"
TOKEN = "EAAG-page-token"
POLL_S = 0.1
FAST = Pace(poll_budget_pause_s=1.5, poll_backoff_base_s=2.0, poll_backoff_cap_s=2.0)
_numbers = itertools.count(1)


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph(access_token=TOKEN, page_id=PAGE)


@pytest.fixture
async def graph_url(fake: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")


async def service(aiohttp_client, db_url: str, graph_url: str, **overrides: Any) -> TestClient:
    settings = make_settings(
        db_url,
        facebook_app_secret=SECRET,
        facebook_page_access_token=TOKEN,
        facebook_graph_url=graph_url,
        facebook_page_id=PAGE,
        hide_phone_comments=False,
        **{"comment_poll_seconds": POLL_S, **overrides},
    )
    app = create_app(settings, run_worker=False, run_inbox=True, run_bot=False, pace=FAST)
    client = await aiohttp_client(app)
    await seed_items(app[RUNTIME].sessions)
    return client


@pytest.fixture
async def client(aiohttp_client, db_url: str, graph_url: str) -> TestClient:
    return await service(aiohttp_client, db_url, graph_url)


async def open_live(client: TestClient, fake: FakeGraph, video: str = VIDEO) -> None:
    fake.add_video(video)
    assert await open_ordering(client.app[RUNTIME].orders, video, title="Live tối nay")


def written(fake: FakeGraph, message: str, buyer: str, video: str = VIDEO) -> str:
    """A comment written on the live: Graph lists it; the webhook may or may not deliver it."""
    comment_id = f"{video}_{next(_numbers)}"
    fake.add_live_comment(video, comment_id, message, from_id=buyer, from_name=f"Khách {buyer}")
    return comment_id


async def deliver(client: TestClient, comment_id: str, message: str, buyer: str) -> None:
    """The webhook's delivery of a comment, signed, through the real route."""
    value = {
        "item": "comment",
        "verb": "add",
        "comment_id": comment_id,
        "post_id": f"{PAGE}_{VIDEO}",
        "from": {"id": buyer, "name": f"Khách {buyer}"},
        "message": message,
        "created_time": int(utcnow().timestamp()),
    }
    entry = {"id": PAGE, "time": int(time.time()), "changes": [{"field": "feed", "value": value}]}
    body = facebook_bytes({"object": "page", "entry": [entry]})
    async with client.post("/webhooks/facebook", data=body, headers=signed(body)) as answer:
        assert answer.status == 200, await answer.text()


async def comments(client: TestClient) -> dict[str, Comment]:
    async with client.app[RUNTIME].sessions() as session:
        return {row.comment_id: row for row in await session.scalars(select(Comment))}


async def drafted(client: TestClient, buyer: str) -> list[tuple[str | None, int]]:
    """The lines of the buyer's draft from the live: (code, quantity)."""
    async with client.app[RUNTIME].sessions() as session:
        rows = await session.execute(
            select(OrderLine.code, OrderLine.quantity)
            .join(Order, OrderLine.order_id == Order.id)
            .where(Order.video_id == VIDEO, Order.facebook_id == buyer)
        )
        return [(code, quantity) for code, quantity in rows]


def reads(fake: FakeGraph, video: str = VIDEO) -> int:
    return sum(1 for r in fake.requests if r.method == "GET" and r.path == f"/{video}/comments")


async def test_a_comment_only_the_poller_sees_becomes_a_draft(client, fake):
    await open_live(client, fake)
    comment_id = written(fake, "A1 2", "fb-hoa")

    found = await eventually(lambda: _source(client, comment_id), "the polled comment stored")
    assert found == "poll"
    assert await eventually(lambda: drafted(client, "fb-hoa"), "a draft") == [("A1", 2)]
    read = next(r for r in fake.requests if r.method == "GET")
    assert read.query == {"filter": "stream", "order": "reverse_chronological", "limit": "100"}
    assert read.headers["Authorization"] == f"Bearer {TOKEN}"


async def _source(client: TestClient, comment_id: str) -> str | None:
    row = (await comments(client)).get(comment_id)
    return row.source if row else None


async def test_the_same_comment_from_both_sources_is_one_comment_and_one_draft_line(client, fake):
    await open_live(client, fake)
    first = written(fake, "A1 1", "fb-lan")
    await deliver(client, first, "A1 1", "fb-lan")  # the webhook gets there first
    assert await eventually(lambda: _source(client, first), "the webhook's comment") == "webhook"
    # The poller reads both; only the second is new to the service.
    second = written(fake, "A2 3", "fb-lan")
    assert await eventually(lambda: _source(client, second), "the polled comment") == "poll"
    await deliver(client, second, "A2 3", "fb-lan")  # the webhook's late copy changes nothing
    await more_reads(fake, 2)

    stored = await comments(client)
    assert {cid: row.source for cid, row in stored.items()} == {first: "webhook", second: "poll"}
    assert sorted(await drafted(client, "fb-lan")) == [("A1", 1), ("A2", 3)]


async def more_reads(fake: FakeGraph, more: int) -> None:
    """Waits for `more` further reads of the comments edge."""
    target = len(fake.comment_reads) + more
    await eventually(lambda: _count(fake, target), f"{more} more reads")


async def test_the_poller_follows_paging_to_recover_an_older_gap(client, fake):
    # 250 comments before polling starts: three pages of 100, then two rounds of newer ones.
    await open_live(client, fake)
    ids = [written(fake, f"A1 {n % 3 + 1}", f"fb-{n % 7}") for n in range(250)]
    await eventually(lambda: _stored_all(client, ids), "all 250 comments recovered")
    pages = {r.query.get("after") is not None for r in fake.requests if r.method == "GET"}
    assert pages == {False, True}  # the first page, then `paging.next`
    later = written(fake, "A2 1", "fb-new")
    assert await eventually(lambda: _source(client, later), "a later comment") == "poll"
    rounds = len(fake.comment_reads)
    await more_reads(fake, 3)
    # Later rounds stop at the first page: they meet a comment read before.
    assert len(fake.comment_reads) - rounds <= 4


async def _stored_all(client: TestClient, ids: list[str]) -> bool:
    return set(ids) <= set(await comments(client))


async def test_polling_stops_after_the_grace_period_and_skips_instagram(client, fake):
    await open_live(client, fake)
    async with client.app[RUNTIME].sessions.begin() as session:
        session.add(LiveSession(video_id="ig-media-1", platform="instagram", page_id=PAGE))
    fake.add_live_comment("ig-media-1", "ig-c1", "A1 1", from_id="ig-user")
    # The live stopped: the grace period runs, comments written in it still order.
    async with client.app[RUNTIME].sessions.begin() as session:
        await session.execute(
            update(LiveSession)
            .where(LiveSession.video_id == VIDEO)
            .values(closes_at=utcnow() + timedelta(minutes=10))
        )
    in_grace = written(fake, "A1 1", "fb-mai")
    assert await eventually(lambda: _source(client, in_grace), "the grace comment") == "poll"
    # The grace period is over: no more reads of the live.
    async with client.app[RUNTIME].sessions.begin() as session:
        await session.execute(
            update(LiveSession)
            .where(LiveSession.video_id == VIDEO)
            .values(closes_at=utcnow() - timedelta(seconds=1))
        )
    await _wait_rounds(client, 2)  # a round under way when it closed may still read
    settled = reads(fake)
    written(fake, "A1 5", "fb-late")
    await _wait_rounds(client, 5)
    assert reads(fake) == settled
    assert reads(fake, "ig-media-1") == 0
    assert "ig-c1" not in await comments(client)


async def _wait_rounds(client: TestClient, rounds: int) -> None:
    """Lets the poller run `rounds` intervals (it reads the database each round)."""
    poller = client.app[POLLER]
    target = poller.rounds + rounds

    async def done() -> bool:
        return poller.rounds >= target

    await eventually(done, f"{rounds} poll rounds")


async def test_a_rate_limit_answer_pauses_polling_for_the_backoff(client, fake):
    fake.rate_limited(1, code=32)
    await open_live(client, fake)
    await eventually(lambda: _count(fake, 1), "the refused read")
    refused_at = fake.comment_reads[0]
    comment_id = written(fake, "A1 1", "fb-an")
    assert await eventually(lambda: _source(client, comment_id), "after the wait") == "poll"
    # Backoff with equal jitter on a 2 s base: no call in the first second after the refusal.
    assert fake.comment_reads[1] - refused_at >= 1.0


async def _count(fake: FakeGraph, calls: int) -> bool:
    return len(fake.comment_reads) >= calls


@pytest.mark.parametrize("code", [4, 17, 613])
async def test_every_throttling_code_pauses_the_page(client, fake, code):
    fake.rate_limited(1, code=code)
    await open_live(client, fake)
    await eventually(lambda: _count(fake, 1), "the refused read")
    await _wait_rounds(client, 4)
    assert len(fake.comment_reads) == 1  # 4 rounds of 0.1 s fit well inside the >= 1 s pause


async def test_usage_above_the_budget_share_pauses_polling(aiohttp_client, db_url, graph_url, fake):
    client = await service(aiohttp_client, db_url, graph_url, poll_budget_percent=50)
    fake.report_usage(80)
    await open_live(client, fake)
    await eventually(lambda: _count(fake, 1), "the first read")
    first = fake.comment_reads[0]
    await eventually(lambda: _count(fake, 2), "a read after the pause")
    assert fake.comment_reads[1] - first >= 1.5  # FAST.poll_budget_pause_s
    fake.report_usage(30)  # under the share: every round reads again
    await eventually(lambda: _count(fake, 5), "reads every round")


async def test_an_interval_of_zero_turns_polling_off(aiohttp_client, db_url, graph_url, fake):
    client = await service(aiohttp_client, db_url, graph_url, comment_poll_seconds=0)
    assert POLLER not in client.app
    await open_live(client, fake)
    comment_id = written(fake, "A1 1", "fb-off")
    await deliver(client, "other-1", "A1 1", "fb-other")  # the inbox works meanwhile
    await eventually(lambda: _source(client, "other-1"), "the webhook comment")
    assert fake.comment_reads == [] and comment_id not in await comments(client)


async def test_graph_errors_are_logged_once_and_polling_goes_on(client, fake, caplog):
    fake.server_errors(3)
    await open_live(client, fake)
    comment_id = written(fake, "A1 1", "fb-err")
    assert await eventually(lambda: _source(client, comment_id), "after the errors") == "poll"
    said = [r.getMessage() for r in caplog.records if "comment poller" in r.getMessage()]
    said = [line for line in said if "code 2" in line]
    assert len(said) == 1


async def test_metrics_count_comments_by_the_source_that_delivered_them(client, fake):
    await open_live(client, fake)
    first = written(fake, "A1 1", "fb-m")
    await deliver(client, first, "A1 1", "fb-m")
    await eventually(lambda: _source(client, first), "the webhook comment")
    for buyer in ("fb-x", "fb-y"):
        written(fake, "A2 1", buyer)
    await eventually(lambda: _sources(client, {"webhook": 1, "poll": 2}), "the polled comments")
    text = await (await client.get("/metrics")).text()
    assert 'chotdon_live_comments_by_source{source="webhook"} 1.0' in text
    assert 'chotdon_live_comments_by_source{source="poll"} 2.0' in text
    assert 'chotdon_live_comments_by_source{source="instagram"} 0.0' in text


async def _sources(client: TestClient, wanted: dict[str, int]) -> bool:
    counted: dict[str, int] = {}
    for row in (await comments(client)).values():
        counted[row.source] = counted.get(row.source, 0) + 1
    return counted == wanted
