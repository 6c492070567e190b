"""Lives that open themselves, and Instagram Live, end to end in one process on both databases:
signed webhook bodies through the real route and inbox, the real outbox worker, and the local
fake Graph API answering `GET /{live-video-id}` and private replies."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from application.live_events import facebook_handler
from application.live_ordering import open_live_session
from application.live_sessions import CodeSpec, open_session
from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from kernel.database import create_engine, session_factory
from kernel.inbox.processor import InboxItem
from kernel.inbox.tables import InboxMessage
from kernel.outbox.jobs import OutboxJob
from kernel.tables import utcnow
from livestream.config import IngestConfig
from livestream.tables import Comment, LiveSession
from tests.conftest import API_TOKEN, in_thread, make_settings
from tests.database.test_facebook_webhook import SECRET, facebook_bytes, signed
from tests.factories import seed_items
from tests.fakes.graph import FakeGraph
from tests.helpers import eventually

PAGE = "1122334455"
IG_ACCOUNT = "17841400000000001"
LIVE_ID = "555000111"
VIDEO = "998877"
MEDIA = "18000000000000042"
TOKEN = "EAAG-page-token"
URL = "/webhooks/facebook"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
FAST = Pace(outbox_poll_s=0.02, outbox_backoff_base_s=0.02, outbox_backoff_cap_s=0.1)
_numbers = itertools.count(1)


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph(access_token=TOKEN, page_id=PAGE)


@pytest.fixture
async def graph_url(graph: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(graph.app())
    yield str(server.make_url("")).rstrip("/")
    graph.release()


async def start(aiohttp_client, db_url: str, graph_url: str, **overrides: object) -> TestClient:
    values: dict[str, object] = {
        "facebook_app_secret": SECRET,
        "facebook_page_access_token": TOKEN,
        "facebook_graph_url": graph_url,
        "facebook_page_id": PAGE,
        **overrides,
    }
    app = create_app(
        make_settings(db_url, **values), run_worker=True, run_inbox=True, run_bot=False, pace=FAST
    )
    client = await aiohttp_client(app)
    await seed_items(app[RUNTIME].sessions)
    return client


@pytest.fixture
async def client(aiohttp_client, db_url: str, graph_url: str) -> TestClient:
    return await start(aiohttp_client, db_url, graph_url)


# -- what Facebook and Instagram send ------------------------------------------------------------


def live_change(status: str, live_id: str = LIVE_ID) -> dict[str, Any]:
    return {"field": "live_videos", "value": {"id": live_id, "status": status}}


def feed_comment(
    buyer: str, message: str, *, at: datetime | None = None, name: str = "Hoa"
) -> dict[str, Any]:
    n = next(_numbers)
    when = at or utcnow()
    return {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": f"{VIDEO}_{n}",
            "post_id": f"{PAGE}_{VIDEO}",
            "from": {"id": buyer, "name": name},
            "message": message,
            "created_time": int(when.timestamp()),
        },
    }


async def deliver(client: TestClient, *changes: dict[str, Any]) -> None:
    entry = {"id": PAGE, "time": int(utcnow().timestamp()), "changes": list(changes)}
    await post(client, {"object": "page", "entry": [entry]})


async def post(client: TestClient, payload: Any) -> None:
    body = facebook_bytes(payload)
    async with client.post(URL, data=body, headers=signed(body)) as response:
        assert response.status == 200, await response.text()


def instagram_comment(
    graph: FakeGraph, user: str, username: str, text: str, media: str = MEDIA
) -> tuple[str, dict[str, Any]]:
    """A comment on the Instagram live (the fake Graph knows it, to answer it privately)."""
    comment_id = f"1790000000{next(_numbers)}"
    graph.add_comment(comment_id, commenter=user)
    value = {
        "from": {"id": user, "username": username},
        "media": {"id": media, "media_product_type": "LIVE"},
        "id": comment_id,
        "text": text,
    }
    return comment_id, {"field": "live_comments", "value": value}


async def deliver_instagram(client: TestClient, *changes: dict[str, Any]) -> None:
    entry = {"id": IG_ACCOUNT, "time": int(utcnow().timestamp()), "changes": list(changes)}
    await post(client, {"object": "instagram", "entry": [entry]})


async def settled(client: TestClient) -> None:
    """Every stored body applied and every job finished (done, dead or skipped)."""
    sessions = client.app[RUNTIME].sessions

    async def quiet() -> bool:
        async with sessions() as session:
            inbox = await session.scalar(
                select(func.count()).where(InboxMessage.status.in_(["pending", "processing"]))
            )
            outbox = await session.scalar(
                select(func.count()).where(OutboxJob.status.in_(["pending", "running"]))
            )
        return inbox == 0 and outbox == 0

    await eventually(quiet, "the inbox and the outbox are quiet")


async def api(client: TestClient, path: str) -> Any:
    async with client.get(path, headers=AUTH) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def drafts(client: TestClient) -> list[dict[str, Any]]:
    found = (await api(client, "/api/orders?status=draft"))["orders"]
    return sorted(found, key=lambda order: order["id"])


async def live_row(client: TestClient, video_id: str) -> LiveSession:
    async with client.app[RUNTIME].sessions() as session:
        live = await session.scalar(select(LiveSession).where(LiveSession.video_id == video_id))
    assert live is not None, f"no session for {video_id}"
    return live


async def jobs(client: TestClient, kind: str) -> list[OutboxJob]:
    async with client.app[RUNTIME].sessions() as session:
        return list(await session.scalars(select(OutboxJob).where(OutboxJob.kind == kind)))


def lines_of(order: dict[str, Any]) -> list[tuple[str, int]]:
    return [(line["code"], line["quantity"]) for line in order["lines"]]


# -- a Facebook live opens itself -------------------------------------------------------------


async def test_a_live_that_starts_opens_its_video_with_the_title_and_takes_orders(client, graph):
    graph.add_live(LIVE_ID, VIDEO, title="Xả kho áo thun tối nay")

    await deliver(client, live_change("LIVE"))
    await settled(client)
    await deliver(client, feed_comment("u1", "A1 2"))
    await settled(client)

    [asked] = [r for r in graph.requests if r.method == "GET"]
    assert asked.path == f"/{LIVE_ID}" and asked.query["fields"] == "video,title,status"
    lives = (await api(client, "/api/live-sessions"))["live_sessions"]
    [live] = [row for row in lives if row["video_id"] == VIDEO]
    assert live["title"] == "Xả kho áo thun tối nay" and live["ordering_open"] is True
    stored = await live_row(client, VIDEO)
    assert (stored.opened_by, stored.live_video_id, stored.platform) == (
        "auto",
        LIVE_ID,
        "facebook",
    )
    [order] = await drafts(client)
    assert lines_of(order) == [("A1", 2)] and order["video_id"] == VIDEO
    [told] = await jobs(client, "telegram.live_opened")
    assert told.payload == {"session_id": stored.id}
    assert len([s for s in lives if s["video_id"] == LIVE_ID]) == 0  # no session for the id


async def test_a_live_staff_opened_by_hand_keeps_its_title_and_codes(client, graph):
    graph.add_live(LIVE_ID, VIDEO, title="Tiêu đề của Facebook")
    orders = client.app[RUNTIME].orders
    await open_live_session(
        orders, VIDEO, title="Live của Mai", codes=[CodeSpec("Z9", "MU-003")], default_code=None
    )

    await deliver(client, live_change("live"))
    await settled(client)
    await deliver(client, feed_comment("u1", "Z9 3"))
    await settled(client)

    stored = await live_row(client, VIDEO)
    assert (stored.title, stored.opened_by, stored.live_video_id) == (
        "Live của Mai",
        "staff",
        LIVE_ID,
    )
    [order] = await drafts(client)
    assert lines_of(order) == [("Z9", 3)]
    assert await jobs(client, "telegram.live_opened") == []  # staff know: nothing to tell


async def test_comments_before_the_live_was_looked_up_make_a_bare_session_it_fills(client, graph):
    await deliver(client, feed_comment("u1", "A1 1"))
    await settled(client)
    assert (await live_row(client, VIDEO)).title == ""
    graph.add_live(LIVE_ID, VIDEO, title="Live thứ Bảy")

    await deliver(client, live_change("live"))
    await settled(client)

    stored = await live_row(client, VIDEO)
    assert (stored.title, stored.opened_by) == ("Live thứ Bảy", "auto")
    assert stored.live_video_id == LIVE_ID
    [order] = await drafts(client)
    assert lines_of(order) == [("A1", 1)]


async def test_live_stopped_closes_ordering_after_the_grace_period_and_vod_closes_it(client, graph):
    graph.add_live(LIVE_ID, VIDEO, title="Live")
    await deliver(client, live_change("live"))
    await settled(client)

    await deliver(client, live_change("live_stopped"))
    await settled(client)
    soon, late = utcnow() + timedelta(minutes=5), utcnow() + timedelta(minutes=11)
    await deliver(client, feed_comment("u1", "A1 1", at=soon), feed_comment("u2", "A1 1", at=late))
    await settled(client)
    assert [o["customer"]["facebook_id"] for o in await drafts(client)] == ["u1"]

    other = "777000"
    graph.add_live("555000222", other, title="Live hai")
    await deliver(client, live_change("live", "555000222"))
    await settled(client)
    await deliver(client, live_change("vod", "555000222"))  # the live_stopped was lost
    await settled(client)
    body = feed_comment("u3", "A1 1", at=utcnow() + timedelta(seconds=5))
    body["value"]["post_id"] = f"{PAGE}_{other}"
    await deliver(client, body)
    await settled(client)
    comments = (await api(client, f"/api/live-sessions/{other}/comments"))["comments"]
    assert [c["flags"] for c in comments] == [["late"]]
    assert len(await drafts(client)) == 1


async def test_a_live_graph_does_not_know_is_a_dead_job_with_the_reason(client, graph):
    await deliver(client, live_change("live", "404404"))
    await settled(client)

    [job] = await jobs(client, "facebook.open_live")
    assert job.status == "dead"
    assert "did not say which video live 404404 streams" in (job.last_error or "")
    assert (await api(client, "/api/live-sessions"))["live_sessions"] == []


async def test_a_passing_graph_error_is_retried_and_the_live_opens(client, graph):
    graph.add_live(LIVE_ID, VIDEO, title="Live")
    graph.server_errors(2)

    await deliver(client, live_change("live"))
    await settled(client)

    [job] = await jobs(client, "facebook.open_live")
    assert (job.status, job.attempts) == ("done", 3)
    assert (await live_row(client, VIDEO)).opened_by == "auto"


# -- Instagram Live -----------------------------------------------------------------------------


async def test_instagram_comments_make_drafts_named_by_username_with_auto_open(
    aiohttp_client, db_url, graph_url, graph
):
    client = await start(aiohttp_client, db_url, graph_url, instagram_auto_open=True)
    _, first = instagram_comment(graph, "ig-1", "mai.shop.lover", "A1 2")
    _, again = instagram_comment(graph, "ig-1", "mai.shop.lover", "B3")
    _, other = instagram_comment(graph, "ig-2", "hoa_nguyen", "A1 1")

    await deliver_instagram(client, first, again)
    await deliver_instagram(client, other)
    await settled(client)

    stored = await live_row(client, MEDIA)
    assert (stored.platform, stored.opened_by, stored.ordering_open) == ("instagram", "auto", True)
    found = await drafts(client)
    assert [(o["customer"]["name"], lines_of(o)) for o in found] == [
        ("mai.shop.lover", [("A1", 2), ("B3", 1)]),
        ("hoa_nguyen", [("A1", 1)]),
    ]
    comments = (await api(client, f"/api/live-sessions/{MEDIA}/comments"))["comments"]
    assert {(c["from_name"], c["from_id"]) for c in comments} == {
        ("mai.shop.lover", "ig-1"),
        ("hoa_nguyen", "ig-2"),
    }
    async with client.app[RUNTIME].sessions() as session:
        sources = set(await session.scalars(select(Comment.source)))
    assert sources == {"instagram"}


async def test_without_auto_open_instagram_comments_are_kept_until_staff_open_the_live(
    client, graph
):
    _, early = instagram_comment(graph, "ig-1", "mai.shop.lover", "A1 2")
    await deliver_instagram(client, early)
    await settled(client)

    comments = (await api(client, f"/api/live-sessions/{MEDIA}/comments"))["comments"]
    assert [(c["from_name"], c["flags"]) for c in comments] == [("mai.shop.lover", ["late"])]
    assert await drafts(client) == []
    assert (await live_row(client, MEDIA)).platform == "instagram"

    async with client.app[RUNTIME].orders.transaction() as session:
        await open_session(session, MEDIA, platform="instagram")
    _, later = instagram_comment(graph, "ig-1", "mai.shop.lover", "A1 1")
    await deliver_instagram(client, later)
    await settled(client)
    [order] = await drafts(client)
    assert lines_of(order) == [("A1", 1)]
    assert (await live_row(client, MEDIA)).opened_by == "staff"


async def test_an_instagram_draft_is_answered_privately_while_the_live_is_on(
    aiohttp_client, db_url, graph_url, graph
):
    client = await start(
        aiohttp_client, db_url, graph_url, instagram_auto_open=True, private_reply=True
    )
    comment_id, change = instagram_comment(graph, "ig-1", "mai.shop.lover", "A1 2 0912345678")

    await deliver_instagram(client, change)
    await settled(client)

    [(replied, message)] = graph.sent
    assert replied == comment_id and "Shop đã nhận đơn" in message["text"]
    [sent] = [r for r in graph.requests if r.path.endswith("/messages")]
    assert sent.path == "/me/messages" and sent.json["recipient"] == {"comment_id": comment_id}
    assert [r for r in graph.requests if r.path == f"/{comment_id}"] == []  # not hidden
    [order] = await drafts(client)
    detail = await api(client, f"/api/orders/{order['id']}")
    assert [e["action"] for e in detail["events"] if e["action"] == "private_reply_sent"] == [
        "private_reply_sent"
    ]


async def test_after_the_instagram_live_no_reply_is_sent_and_the_history_says_why(
    aiohttp_client, db_url, graph_url, graph
):
    client = await start(
        aiohttp_client, db_url, graph_url, instagram_auto_open=True, private_reply=True
    )
    _, first = instagram_comment(graph, "ig-0", "first", "A1 1")
    await deliver_instagram(client, first)
    await settled(client)
    graph.sent.clear()
    async with client.app[RUNTIME].sessions.begin() as session:  # the live stopped: grace runs
        await session.execute(
            update(LiveSession)
            .where(LiveSession.video_id == MEDIA)
            .values(closes_at=utcnow() + timedelta(minutes=10))
        )
    _, change = instagram_comment(graph, "ig-1", "mai.shop.lover", "A1 2")

    await deliver_instagram(client, change)
    await settled(client)

    assert graph.sent == []
    order = next(o for o in await drafts(client) if o["customer"]["name"] == "mai.shop.lover")
    detail = await api(client, f"/api/orders/{order['id']}")
    [skipped] = [e for e in detail["events"] if e["action"] == "instagram_reply_skipped"]
    assert "Instagram" in skipped["details"]["reason"]
    assert detail["buyer_confirmation"] is None  # nobody was asked


# -- any body at all ------------------------------------------------------------------------------

ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
IDS = st.text(max_size=70) | st.integers() | ANY
INSTAGRAM_VALUE = st.fixed_dictionaries(
    {},
    optional={
        "from": st.fixed_dictionaries({}, optional={"id": IDS, "username": ANY}) | ANY,
        "media": st.fixed_dictionaries({}, optional={"id": IDS, "media_product_type": ANY}),
        "id": IDS,
        "text": st.text(max_size=200) | ANY,
    },
)
LIVE_VALUE = st.fixed_dictionaries(
    {},
    optional={
        "id": IDS,
        "status": st.sampled_from(["live", "LIVE", "live_stopped", "vod", "Live"]) | ANY,
        "video": st.fixed_dictionaries({}, optional={"id": IDS}) | ANY,
    },
)
CHANGE = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["live_comments", "live_videos"]) | ANY,
        "value": INSTAGRAM_VALUE | LIVE_VALUE | ANY,
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["instagram", "page"]) | ANY,
    changes=st.lists(CHANGE, max_size=5),
    time=st.integers() | st.floats() | ANY,
    auto_open=st.booleans(),
)
def test_any_instagram_or_live_videos_body_is_applied_or_skipped_never_raised(
    db_url, kind, changes, time, auto_open
):
    """What the inbox handler does with such a body: the events it can read are applied, the
    rest skipped; it never raises, so the row is done and the inbox goes on."""
    body = json.dumps(
        {"object": kind, "entry": [{"id": IG_ACCOUNT, "time": time, "changes": changes}]}
    ).encode()
    config = IngestConfig(page_id=PAGE, page_token_set=True, instagram_auto_open=auto_open)
    handle = facebook_handler(config)
    item = InboxItem(1, "facebook", body, "application/json", utcnow())

    async def run() -> None:
        engine = create_engine(db_url)
        sessions = session_factory(engine)
        try:
            async with sessions.begin() as session:
                await handle(session, [item])
        finally:
            await engine.dispose()

    in_thread(run())
