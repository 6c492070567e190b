"""Hiding comments and private replies, through real HTTP to a local fake Graph API and a real
outbox worker on a real database: what is retried, what is dead at once, what staff see on the
order."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp.test_utils import unused_port
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.graph_jobs import (
    HIDE_COMMENT,
    INSTAGRAM_REPLY,
    MESSENGER_IMAGE,
    MESSENGER_REPLY,
    OPEN_LIVE,
    PRIVATE_REPLY,
    outbox_handlers,
)
from chotdon.facebook_pages import facebook_pages
from kernel.outbox.jobs import Job, OutboxJob, enqueue
from kernel.outbox.worker import Handler, OutboxWorker
from livestream.graph import GRAPH_API_VERSION, GraphClient, GraphError, error_from
from orders.tables import OrderEvent
from tests.conftest import make_settings
from tests.database.test_outbox import eventually, load, running
from tests.factories import draft, seed_items
from tests.fakes.graph import FakeGraph

TOKEN = "EAAG-page-token"
PAGE_ID = "100200300"
COMMENT = "987654321_111"
REPLY = "Dạ shop đã nhận đơn của chị Hoa ạ, 2 áo thun trắng, tổng 330.000đ 🛍️"
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def fake() -> FakeGraph:
    graph = FakeGraph(access_token=TOKEN, page_id=PAGE_ID)
    graph.add_comment(COMMENT)
    return graph


@pytest.fixture
async def graph_url(fake: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.release()  # let stalled requests end before the server closes


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: no proxy from the environment between us and loopback.
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def handlers_for(
    db_url: str, sessions: Sessions, http: httpx.AsyncClient, graph_url: str, token: str = TOKEN
) -> dict[str, Handler]:
    settings = make_settings(
        db_url,
        facebook_page_access_token=token,
        facebook_graph_url=graph_url,
        facebook_page_id=PAGE_ID,
    )
    return outbox_handlers(facebook_pages(settings), sessions, http)


async def order_and_job(
    service, sessions: Sessions, kind: str, **payload: object
) -> tuple[int, int]:
    """A draft from a comment, and the Facebook job the ingest would queue for it."""
    await seed_items(sessions)
    order = await draft(service)
    return order.id, await queue(sessions, kind, order_id=order.id, **payload)


async def queue(sessions: Sessions, kind: str, **payload: object) -> int:
    key = f"{kind}:{payload['comment_id']}:{payload['order_id']}:{payload.get('n', 0)}"
    async with sessions.begin() as session:
        await enqueue(session, Job(kind, key, dict(payload)))
    async with sessions() as session:
        return await session.scalar(select(OutboxJob.id).where(OutboxJob.idempotency_key == key))


async def deliver(sessions: Sessions, handlers: dict[str, Handler], *job_ids: int) -> None:
    """Run a real worker, with backoff in tens of milliseconds, until every job is finished."""
    worker = OutboxWorker(
        sessions,
        handlers,
        poll_interval=0.02,
        backoff_base=0.02,
        backoff_cap=0.1,
        rng=random.Random(7),
    )

    async def finished() -> bool:
        statuses = [(await load(sessions, job_id)).status for job_id in job_ids]
        return all(status in ("done", "dead") for status in statuses)

    async with running(worker):
        await eventually(finished, f"jobs {job_ids} finished")


async def events(sessions: Sessions, order_id: int, action: str) -> list[OrderEvent]:
    async with sessions() as session:
        query = select(OrderEvent).where(
            OrderEvent.order_id == order_id, OrderEvent.action == action
        )
        return list(await session.scalars(query.order_by(OrderEvent.id)))


# -- through the outbox --------------------------------------------------------------------


async def test_a_hidden_comment_is_hidden_on_facebook_and_noted_on_the_order(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, job_id = await order_and_job(service, sessions, HIDE_COMMENT, comment_id=COMMENT)

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("done", 1)
    assert fake.comments[COMMENT].hidden
    [request] = fake.requests
    assert (request.method, request.version, request.path) == (
        "POST",
        GRAPH_API_VERSION,
        f"/{COMMENT}",
    )
    assert request.form == {"is_hidden": "true"}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "access_token" not in request.query
    [event] = await events(sessions, order_id, "comment_hidden")
    assert (event.actor, event.source, event.from_status, event.to_status) == (
        "facebook",
        "system",
        "draft",
        "draft",
    )
    assert event.details == {"comment_id": COMMENT}


async def test_a_wrong_token_is_refused_once_written_on_the_order_and_the_job_is_dead(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, job_id = await order_and_job(service, sessions, HIDE_COMMENT, comment_id=COMMENT)

    handlers = handlers_for(db_url, sessions, http, graph_url, token="EAAG-revoked")
    await deliver(sessions, handlers, job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("dead", 1)
    assert "Invalid OAuth access token" in (job.last_error or "")
    assert len(fake.requests) == 1 and not fake.comments[COMMENT].hidden
    [event] = await events(sessions, order_id, "facebook_error")
    assert (event.actor, event.source, event.from_status, event.to_status) == (
        "facebook",
        "system",
        "draft",
        "draft",
    )
    assert event.details == {
        "kind": HIDE_COMMENT,
        "comment_id": COMMENT,
        "code": 190,
        "subcode": None,
        "message": "Invalid OAuth access token - Cannot parse access token",
        "attempt": 1,
    }
    assert await events(sessions, order_id, "comment_hidden") == []


async def test_an_unknown_comment_is_dead_at_once_with_facebooks_message(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, job_id = await order_and_job(service, sessions, HIDE_COMMENT, comment_id="404_1")

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("dead", 1)
    [event] = await events(sessions, order_id, "facebook_error")
    assert (event.details["code"], event.details["subcode"]) == (100, 33)
    assert event.details["message"].startswith("Unsupported post request. Object with ID '404_1'")


async def test_server_errors_are_retried_until_the_comment_is_hidden(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, job_id = await order_and_job(service, sessions, HIDE_COMMENT, comment_id=COMMENT)
    fake.server_errors(2)

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("done", 3)
    assert len(fake.requests) == 3 and fake.comments[COMMENT].hidden
    assert await events(sessions, order_id, "facebook_error") == []
    assert len(await events(sessions, order_id, "comment_hidden")) == 1


@pytest.mark.parametrize("code", [4, 17, 32, 613])
async def test_rate_limited_calls_are_retried(
    db_url, sessions, service, http, fake, graph_url, code
):
    order_id, job_id = await order_and_job(service, sessions, HIDE_COMMENT, comment_id=COMMENT)
    fake.rate_limited(code=code)

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("done", 2)
    assert fake.comments[COMMENT].hidden
    assert await events(sessions, order_id, "facebook_error") == []


async def test_when_retries_run_out_the_last_error_is_written_on_the_order_once(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, job_id = await order_and_job(service, sessions, HIDE_COMMENT, comment_id=COMMENT)
    async with sessions.begin() as session:
        await session.execute(update(OutboxJob).values(max_attempts=3))
    fake.server_errors(10)

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("dead", 3)
    assert len(fake.requests) == 3
    [event] = await events(sessions, order_id, "facebook_error")
    assert event.details["code"] == 2 and event.details["gave_up"] is True
    assert event.details["attempt"] == 3


async def test_a_private_reply_sends_the_vietnamese_text_to_the_comment(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, job_id = await order_and_job(
        service, sessions, PRIVATE_REPLY, comment_id=COMMENT, message=REPLY
    )

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    assert (await load(sessions, job_id)).status == "done"
    [request] = fake.requests
    assert request.path == f"/{PAGE_ID}/messages"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {"recipient": {"comment_id": COMMENT}, "message": {"text": REPLY}}
    assert fake.sent == [(COMMENT, {"text": REPLY})]
    [event] = await events(sessions, order_id, "private_reply_sent")
    assert event.details == {
        "comment_id": COMMENT,
        "message_id": "m_fake1",
        "recipient_id": f"psid-{COMMENT}",
    }


async def test_a_second_private_reply_to_the_same_comment_is_refused_and_not_retried(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, first = await order_and_job(
        service, sessions, PRIVATE_REPLY, comment_id=COMMENT, message=REPLY
    )
    second = await queue(
        sessions, PRIVATE_REPLY, comment_id=COMMENT, order_id=order_id, message="lần 2", n=2
    )
    handlers = handlers_for(db_url, sessions, http, graph_url)

    await deliver(sessions, handlers, first)
    await deliver(sessions, handlers, second)

    assert (await load(sessions, first)).status == "done"
    job = await load(sessions, second)
    assert (job.status, job.attempts) == ("dead", 1)
    assert fake.sent == [(COMMENT, {"text": REPLY})]
    [event] = await events(sessions, order_id, "facebook_error")
    assert (event.details["kind"], event.details["code"]) == (PRIVATE_REPLY, 10900)
    assert event.details["message"] == "(#10900) Activity already replied to"


async def test_already_replied_after_a_lost_answer_counts_as_sent(
    db_url, sessions, service, http, fake, graph_url
):
    order_id, job_id = await order_and_job(
        service, sessions, PRIVATE_REPLY, comment_id=COMMENT, message=REPLY
    )
    fake.server_errors(1, after_effect=True)  # Facebook sent it, then answered 500

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("done", 2)
    assert fake.sent == [(COMMENT, {"text": REPLY})]
    assert await events(sessions, order_id, "facebook_error") == []
    [event] = await events(sessions, order_id, "private_reply_sent")
    assert event.details == {"comment_id": COMMENT, "already_replied": True}


async def test_a_job_without_its_message_is_dead_without_calling_facebook(
    db_url, sessions, service, http, fake, graph_url
):
    _, job_id = await order_and_job(service, sessions, PRIVATE_REPLY, comment_id=COMMENT)

    await deliver(sessions, handlers_for(db_url, sessions, http, graph_url), job_id)

    job = await load(sessions, job_id)
    assert (job.status, job.attempts) == ("dead", 1)
    assert "without 'message'" in (job.last_error or "")
    assert fake.requests == []


# -- wiring ---------------------------------------------------------------------------------


async def test_no_handlers_without_a_page_token(http):
    settings = make_settings("sqlite+aiosqlite:///unused.db", facebook_page_access_token="")
    assert outbox_handlers(facebook_pages(settings), async_sessionmaker(), http) == {}

    configured = make_settings("sqlite+aiosqlite:///unused.db", facebook_page_access_token=TOKEN)
    assert set(outbox_handlers(facebook_pages(configured), async_sessionmaker(), http)) == {
        HIDE_COMMENT,
        PRIVATE_REPLY,
        MESSENGER_REPLY,
        MESSENGER_IMAGE,
        OPEN_LIVE,
        INSTAGRAM_REPLY,
    }


# -- the client at the boundary -------------------------------------------------------------


async def test_a_timeout_is_retryable(http, fake, graph_url):
    fake.stall()
    client = GraphClient(http, base_url=graph_url, access_token=TOKEN, timeout=0.2)
    with pytest.raises(GraphError) as caught:
        await client.hide_comment(COMMENT)
    assert caught.value.retryable and "timeout" in caught.value.message


async def test_a_refused_connection_is_retryable(http):
    client = GraphClient(http, base_url=f"http://127.0.0.1:{unused_port()}", access_token=TOKEN)
    with pytest.raises(GraphError) as caught:
        await client.hide_comment(COMMENT)
    assert caught.value.retryable and caught.value.code is None


async def test_without_a_page_id_the_reply_goes_to_me_messages(http, fake, graph_url):
    client = GraphClient(http, base_url=graph_url, access_token=TOKEN)
    sent = await client.private_reply(COMMENT, REPLY)
    assert sent.recipient_id == f"psid-{COMMENT}"
    assert fake.requests[0].path == "/me/messages"


async def test_a_named_wait_stops_calls_of_that_kind_until_it_has_passed(http, fake, graph_url):
    """Calls made while throttled still count, so none is sent until Facebook's estimate."""
    now = [1_000.0]
    client = GraphClient(
        http, base_url=graph_url, access_token=TOKEN, page_id=PAGE_ID, clock=lambda: now[0]
    )
    fake.rate_limited(code=32, regain_minutes=2)

    with pytest.raises(GraphError) as throttled:
        await client.hide_comment(COMMENT)
    assert throttled.value.retryable and throttled.value.retry_after == 120
    with pytest.raises(GraphError) as held:
        await client.hide_comment(COMMENT)
    assert held.value.retryable and len(fake.requests) == 1

    await client.private_reply(COMMENT, REPLY)  # the Send API has a budget of its own
    now[0] += 121
    await client.hide_comment(COMMENT)
    assert len(fake.requests) == 3 and fake.comments[COMMENT].hidden


@pytest.mark.parametrize(
    ("status", "body", "retryable"),
    [
        (500, {"error": {"message": "x", "code": 1}}, True),
        (503, None, True),  # an HTML page from a proxy
        (429, None, True),
        (400, {"error": {"message": "x", "code": 80001}}, True),
        (400, {"error": {"message": "x", "code": 2, "is_transient": True}}, True),
        (400, {"error": {"message": "x", "code": 100, "error_subcode": 33}}, False),
        (403, {"error": {"message": "x", "code": 10}}, False),
        (400, {"error": {"message": "x", "code": 190, "error_subcode": 463}}, False),
        (400, {"error": {"message": "x", "code": 10903}}, False),
        (400, {"error": {"message": "x", "code": 551}}, False),
        (404, None, False),
    ],
)
def test_which_graph_errors_are_worth_retrying(status, body, retryable):
    error = error_from(status, body, {})
    assert error.retryable is retryable
    assert error.message == (
        body["error"]["message"] if body else f"HTTP {status} without a Graph error body"
    )
