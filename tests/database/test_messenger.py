"""The buyer confirms in Messenger, end to end in one process on both databases: signed webhook
bodies through the real route and inbox, the real outbox worker, and the local fake Graph API
(which refuses what Graph refuses: a second private reply, an answer outside the window)."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from application.live_events import facebook_handler
from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from kernel.database import create_engine, session_factory
from kernel.inbox.processor import InboxItem
from kernel.inbox.tables import InboxMessage
from kernel.outbox.jobs import OutboxJob
from kernel.tables import utcnow
from livestream.config import IngestConfig
from livestream.graph import GraphClient, GraphError
from livestream.tables import BuyerMessage
from tests.conftest import API_TOKEN, in_thread, make_settings
from tests.database.test_facebook_webhook import SECRET, facebook_bytes, signed
from tests.factories import seed_items
from tests.fakes.graph import FakeGraph
from tests.helpers import eventually

PAGE = "1122334455"
VIDEO = "998877"
TOKEN = "EAAG-page-token"
URL = "/webhooks/facebook"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
FAST = Pace(outbox_poll_s=0.02, outbox_backoff_base_s=0.02, outbox_backoff_cap_s=0.1)
_numbers = itertools.count(1)


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph(access_token=TOKEN, page_id=PAGE)


@pytest.fixture
async def graph_url(fake: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.release()


@pytest.fixture
async def client(aiohttp_client, db_url: str, graph_url: str) -> TestClient:
    settings = make_settings(
        db_url,
        facebook_app_secret=SECRET,
        facebook_page_access_token=TOKEN,
        facebook_graph_url=graph_url,
        facebook_page_id=PAGE,
        private_reply=True,
    )
    app = create_app(settings, run_worker=True, run_inbox=True, run_bot=False, pace=FAST)
    client = await aiohttp_client(app)
    await seed_items(app[RUNTIME].sessions)
    return client


# -- what Facebook sends -------------------------------------------------------------------


def comment(fake: FakeGraph, buyer: str, message: str, name: str = "Hoa") -> dict[str, Any]:
    """A comment on the live, which the fake Graph knows too (a reply needs it)."""
    n = next(_numbers)
    comment_id = f"{PAGE}_{VIDEO}_{n}"
    fake.add_comment(comment_id, commenter=buyer)
    return {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": comment_id,
            "post_id": f"{PAGE}_{VIDEO}",
            "from": {"id": buyer, "name": name},
            "message": message,
            "created_time": 1_773_489_600 + n,
        },
    }


def said(
    fake: FakeGraph,
    psid: str,
    text: str = "",
    *,
    payload: str | None = None,
    mid: str | None = None,
    at: datetime | None = None,
    postback: bool = False,
) -> dict[str, Any]:
    """A buyer's Messenger event; the fake learns that the buyer wrote then, as Graph does."""
    when = at or utcnow()
    fake.buyer_wrote(psid, when)
    mid = mid or f"m_{next(_numbers)}"
    event: dict[str, Any] = {
        "sender": {"id": psid},
        "recipient": {"id": PAGE},
        "timestamp": int(when.timestamp() * 1000),
    }
    if postback:
        event["postback"] = {"mid": mid, "title": text, "payload": payload}
    else:
        event["message"] = {"mid": mid, "text": text}
        if payload is not None:
            event["message"]["quick_reply"] = {"payload": payload}
    return event


async def deliver(
    client: TestClient, *, changes: list[Any] = (), messaging: list[Any] = ()
) -> None:
    entry: dict[str, Any] = {"id": PAGE, "time": int(utcnow().timestamp() * 1000)}
    if changes:
        entry["changes"] = list(changes)
    if messaging:
        entry["messaging"] = list(messaging)
    body = facebook_bytes({"object": "page", "entry": [entry]})
    async with client.post(URL, data=body, headers=signed(body)) as response:
        assert response.status == 200, await response.text()


async def settled(client: TestClient) -> None:
    """Every stored body applied and every job finished (done or dead)."""
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


async def orders(client: TestClient, **query: str) -> list[dict[str, Any]]:
    found = await api(client, "/api/orders?" + "&".join(f"{k}={v}" for k, v in query.items()))
    return sorted(found["orders"], key=lambda order: order["id"])


async def order(client: TestClient, order_id: int) -> dict[str, Any]:
    return await api(client, f"/api/orders/{order_id}")


async def asked(client: TestClient, fake: FakeGraph, buyer: str, text: str = "A1 2") -> dict:
    """A buyer's first order comment, answered privately: their draft, linked to their PSID."""
    await deliver(client, changes=[comment(fake, buyer, text)])
    await settled(client)
    [draft] = [o for o in await orders(client) if o["customer"]["facebook_id"] == buyer]
    return await order(client, draft["id"])


# -- the private reply -----------------------------------------------------------------------


async def test_one_private_reply_per_buyer_per_live_and_its_answer_links_the_buyer(client, fake):
    first = comment(fake, "u1", "A1 2")
    await deliver(client, changes=[first, comment(fake, "u1", "B3")])
    await deliver(client, changes=[comment(fake, "u1", "A1 1"), comment(fake, "u2", "B3 1")])
    await deliver(client, changes=[comment(fake, "u2", "A1")])
    await settled(client)

    drafts = await orders(client)
    assert [o["customer"]["facebook_id"] for o in drafts] == ["u1", "u2"]
    mine, theirs = [await order(client, o["id"]) for o in drafts]
    assert [comment_id for comment_id, _ in fake.sent] == [
        first["value"]["comment_id"],
        next(c for c in fake.comments.values() if c.from_id == "psid-u2" and c.replied).id,
    ]
    [(_, message)] = [sent for sent in fake.sent if sent[0] == first["value"]["comment_id"]]
    assert f"Shop đã nhận đơn {mine['code']}" in message["text"]
    assert "A1 Áo thun trắng x2, B3 Quần jean xanh x1. Tạm tính 620.000đ" in message["text"]
    assert "số điện thoại và địa chỉ nhận hàng" in message["text"]
    assert message["quick_replies"] == [
        {"content_type": "text", "title": "Xác nhận đơn", "payload": f"CONFIRM:{mine['code']}"},
        {"content_type": "text", "title": "Huỷ đơn", "payload": f"CANCEL:{mine['code']}"},
    ]
    assert (mine["customer"]["messenger_id"], theirs["customer"]["messenger_id"]) == (
        "psid-u1",
        "psid-u2",
    )
    assert mine["buyer_confirmation"] == theirs["buyer_confirmation"] == "awaiting"
    [sent] = [e for e in mine["events"] if e["action"] == "private_reply_sent"]
    assert sent["details"]["recipient_id"] == "psid-u1"
    awaiting = await orders(client, buyer_confirmation="awaiting")
    assert [o["id"] for o in awaiting] == [mine["id"], theirs["id"]]


async def test_a_second_private_reply_to_a_comment_is_refused_by_the_fake_graph(fake, graph_url):
    fake.add_comment("c1", commenter="u1")
    async with httpx.AsyncClient(trust_env=False) as http:
        graph = GraphClient(http, base_url=graph_url, access_token=TOKEN, page_id=PAGE)
        sent = await graph.private_reply("c1", "Chào bạn")
        assert sent.recipient_id == FakeGraph.psid_of("u1")
        with pytest.raises(GraphError) as refused:
            await graph.private_reply("c1", "Lần hai")
        assert (refused.value.code, refused.value.retryable) == (10900, False)
        with pytest.raises(GraphError) as outside:
            await graph.send_message(sent.recipient_id, "Chưa ai nhắn shop")
        assert (outside.value.code, outside.value.subcode) == (10, 2018278)
        fake.buyer_wrote(sent.recipient_id, datetime.now(UTC) - timedelta(hours=25))
        with pytest.raises(GraphError):
            await graph.send_message(sent.recipient_id, "Quá 24 giờ")
        fake.buyer_wrote(sent.recipient_id)
        assert (await graph.send_message(sent.recipient_id, "Dạ")).recipient_id == "psid-u1"
    assert [psid for psid, _ in fake.messages] == ["psid-u1"]


# -- the buyer answers -------------------------------------------------------------------------


async def test_a_phone_in_a_message_fills_the_drafts_empty_phone_and_the_buyer_is_answered(
    client, fake
):
    draft = await asked(client, fake, "u1")

    await deliver(client, messaging=[said(fake, "psid-u1", "sdt mình 0912 345 678 nha shop")])
    await settled(client)

    filled = await order(client, draft["id"])
    assert filled["customer"]["phone"] == "0912345678"
    [edit] = [e for e in filled["events"] if e["action"] == "edit"]
    assert (edit["source"], edit["details"]["fields"]) == ("buyer", ["buyer_phone"])
    [(psid, body)] = fake.messages
    assert psid == "psid-u1" and body["messaging_type"] == "RESPONSE"
    assert body["recipient"] == {"id": "psid-u1"}
    text = body["message"]["text"]
    assert "0912345678" in text and draft["code"] in text and "địa chỉ nhận hàng" in text
    [answered] = [e for e in filled["events"] if e["action"] == "messenger_reply_sent"]
    assert answered["details"]["recipient_id"] == "psid-u1"

    address = "12 Hai Bà Trưng, Phường Sài Gòn, TP HCM"
    await deliver(client, messaging=[said(fake, "psid-u1", f"giao {address}")])
    await settled(client)
    messages = (await api(client, "/api/messages"))["messages"]
    assert [m["text"] for m in messages] == [f"giao {address}", "sdt mình 0912 345 678 nha shop"]
    assert {m["customer_id"] for m in messages} == {draft["customer"]["id"]}
    kept = await order(client, draft["id"])
    assert kept["customer"]["phone"] == "0912345678"  # the phone is never asked again
    assert (kept["customer"]["address"], kept["customer"]["ward"]) == (
        "12 Hai Bà Trưng",
        "Phường Sài Gòn",
    )
    assert kept["customer"]["province"] == "Thành phố Hồ Chí Minh"
    assert kept["address_review"] is False
    assert len(fake.messages) == 2
    [_, (_, answer)] = fake.messages
    assert "12 Hai Bà Trưng" in answer["message"]["text"]
    # The buyer's record remembers what they wrote, and says it came from Messenger.
    record = await api(client, f"/api/customers/{draft['customer']['id']}")
    assert (record["phone"], record["address"]) == ("0912345678", "12 Hai Bà Trưng")
    assert record["details_source"] == "messenger"


async def test_confirm_marks_the_order_confirmed_and_tells_the_buyer(client, fake):
    draft = await asked(client, fake, "u1")

    tap = said(fake, "psid-u1", "Xác nhận đơn", payload=f"CONFIRM:{draft['code']}")
    await deliver(client, messaging=[tap])
    await settled(client)

    confirmed = await order(client, draft["id"])
    assert (confirmed["status"], confirmed["buyer_confirmation"]) == ("draft", "confirmed")
    [event] = [e for e in confirmed["events"] if e["action"] == "buyer_confirmed"]
    assert event["source"] == "buyer"
    assert event["details"] == {
        "buyer_confirmation": "confirmed",
        "confirmation_before": "awaiting",
    }
    [(_, body)] = fake.messages
    assert f"Cảm ơn bạn đã xác nhận đơn {draft['code']}" in body["message"]["text"]
    assert [o["id"] for o in await orders(client, buyer_confirmation="confirmed")] == [draft["id"]]


async def test_cancel_as_a_postback_cancels_the_draft(client, fake):
    draft = await asked(client, fake, "u1")

    tap = said(fake, "psid-u1", "Huỷ đơn", payload=f"CANCEL:{draft['code']}", postback=True)
    await deliver(client, messaging=[tap])
    await settled(client)

    cancelled = await order(client, draft["id"])
    assert (cancelled["status"], cancelled["buyer_confirmation"]) == ("cancelled", "declined")
    [event] = [e for e in cancelled["events"] if e["action"] == "cancel"]
    assert event["source"] == "buyer" and event["to_status"] == "cancelled"
    [(_, body)] = fake.messages
    assert f"Shop đã huỷ đơn {draft['code']}" in body["message"]["text"]


async def test_the_same_mid_delivered_twice_is_applied_and_answered_once(client, fake):
    draft = await asked(client, fake, "u1")
    tap = said(fake, "psid-u1", "Xác nhận đơn", payload=f"CONFIRM:{draft['code']}", mid="m_once")

    await deliver(client, messaging=[tap, tap])
    await deliver(client, messaging=[tap])
    await settled(client)

    confirmed = await order(client, draft["id"])
    assert [e["action"] for e in confirmed["events"]].count("buyer_confirmed") == 1
    assert len((await api(client, "/api/messages"))["messages"]) == 1
    assert len(fake.messages) == 1


async def test_a_payload_naming_someone_elses_order_changes_nothing(client, fake):
    theirs = await asked(client, fake, "u2")
    await asked(client, fake, "u1")

    tap = said(fake, "psid-u1", "Huỷ đơn", payload=f"CANCEL:{theirs['code']}")
    await deliver(client, messaging=[tap])
    await settled(client)

    after = await order(client, theirs["id"])
    assert (after["status"], after["buyer_confirmation"], after["version"]) == (
        "draft",
        "awaiting",
        theirs["version"],
    )
    [(psid, body)] = fake.messages
    assert psid == "psid-u1"
    assert f"Shop không tìm thấy đơn {theirs['code']} của bạn" in body["message"]["text"]


async def test_an_unknown_sender_is_listed_for_staff_and_attaching_links_later_messages(
    client, fake
):
    draft = await asked(client, fake, "u1")
    stranger = "psid-stranger"
    await deliver(client, messaging=[said(fake, stranger, "shop ơi còn áo không")])
    await settled(client)

    [unlinked] = (await api(client, "/api/messages?unlinked=1"))["messages"]
    assert (unlinked["sender_id"], unlinked["text"], unlinked["customer_id"]) == (
        stranger,
        "shop ơi còn áo không",
        None,
    )
    assert unlinked["outcome"] == "unlinked" and fake.messages == []

    path = f"/api/messages/{unlinked['id']}/customer"
    async with client.post(path, json={"customer_id": 999}, headers=AUTH) as refused:
        assert refused.status == 422
        assert (await refused.json())["error"] == "invalid_input"
    async with client.post("/api/messages/12345/customer", json={"customer_id": 1}) as none:
        assert none.status == 401  # the API's gate first
    gone = {"customer_id": draft["customer"]["id"]}
    async with client.post("/api/messages/12345/customer", json=gone, headers=AUTH) as none:
        assert (none.status, (await none.json())["error"]) == (404, "not_found")
    async with client.get("/api/messages?unlinked=maybe", headers=AUTH) as bad:
        assert (bad.status, (await bad.json())["error"]) == (422, "invalid_input")
    customer_id = draft["customer"]["id"]
    async with client.post(path, json={"customer_id": customer_id}, headers=AUTH) as linked:
        assert linked.status == 200, await linked.text()
        assert (await linked.json())["customer_id"] == customer_id
    assert (await api(client, "/api/messages?unlinked=1"))["messages"] == []
    assert (await order(client, draft["id"]))["customer"]["phone"] == ""  # nothing re-applied

    await deliver(client, messaging=[said(fake, stranger, "0987654321")])
    await settled(client)
    assert (await order(client, draft["id"]))["customer"]["phone"] == "0987654321"
    [(psid, body)] = fake.messages
    assert psid == stranger and body["messaging_type"] == "RESPONSE"


async def test_no_answer_goes_out_after_the_window_and_staff_see_why(client, fake):
    draft = await asked(client, fake, "u1")
    old = utcnow() - timedelta(hours=30)

    await deliver(client, messaging=[said(fake, "psid-u1", "0912345678", at=old)])
    await settled(client)

    after = await order(client, draft["id"])
    assert after["customer"]["phone"] == "0912345678"  # applied: only the answer is late
    assert fake.messages == []
    [refused] = [e for e in after["events"] if e["action"] == "facebook_error"]
    assert "24-hour" in refused["details"]["message"]


async def test_a_bad_body_never_stops_the_line(client, fake):
    draft = await asked(client, fake, "u1")
    poison = [
        {"sender": "x"},
        {"sender": {"id": None}, "message": {"mid": "m1", "text": 5}},
        {"sender": {"id": "psid-u1"}, "message": {"text": "no mid"}},
        {"sender": {"id": "psid-u1"}, "message": {"mid": ["m"], "text": "x"}},
        {"sender": {"id": "psid-u1"}, "timestamp": "soon", "message": {"mid": "m2"}},
        {"sender": {"id": "psid-u1"}, "message": {"mid": "m3", "is_echo": True, "text": "x"}},
        {"sender": {"id": "psid-u1"}, "delivery": {"mids": ["m_1"]}},
        {"sender": {"id": "psid-u1"}, "message": {"mid": "m4", "text": "x" * 100_000}},
    ]
    await deliver(client, messaging=[*poison, said(fake, "psid-u1", "0912345678")])
    await settled(client)

    assert (await order(client, draft["id"]))["customer"]["phone"] == "0912345678"
    async with client.app[RUNTIME].sessions() as session:
        statuses = set(await session.scalars(select(InboxMessage.status)))
    assert statuses == {"done"}


# -- any body at all -------------------------------------------------------------------------

ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
KEYS = st.sampled_from(["sender", "recipient", "timestamp", "message", "postback", "mid"])
EVENT = st.dictionaries(KEYS, ANY, max_size=5) | st.fixed_dictionaries(
    {
        "sender": st.fixed_dictionaries({"id": st.text(max_size=70) | st.integers()}),
        "timestamp": st.integers() | st.floats() | st.text(max_size=12),
        "message": st.fixed_dictionaries(
            {"mid": st.text(max_size=300), "text": st.text(max_size=3000) | ANY},
            optional={"quick_reply": st.fixed_dictionaries({"payload": ANY}), "is_echo": ANY},
        ),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=st.lists(EVENT, max_size=6), entry=st.dictionaries(st.text(max_size=8), ANY))
def test_any_messaging_body_is_applied_or_skipped_never_raised(db_url, events, entry):
    """What the inbox handler does with a Page body whose `messaging` is anything: the events
    it can read are kept, the rest skipped; it never raises, so the row is done."""
    body = json.dumps({"object": "page", "entry": [{**entry, "messaging": events}]}).encode()
    handle = facebook_handler(IngestConfig(page_id=PAGE, page_token_set=True))
    item = InboxItem(1, "facebook", body, "application/json", utcnow())

    async def run() -> None:
        engine = create_engine(db_url)
        sessions = session_factory(engine)
        try:
            async with sessions.begin() as session:
                await handle(session, [item])
            async with sessions() as session:
                await session.scalar(select(func.count()).select_from(BuyerMessage))
        finally:
            await engine.dispose()

    in_thread(run())
