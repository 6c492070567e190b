"""The Facebook receiver through real HTTP on both databases: the handshake, signatures over the
raw bytes, refusals that store nothing, and group commit under concurrent deliveries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from kernel.http import signatures
from kernel.inbox.tables import InboxMessage
from kernel.json_body import UnreadableJson, load_json
from tests.conftest import make_settings
from webhooks.facebook import MAX_BODY_BYTES, is_json

SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-me"
PAGE = "1122334455"
VIDEO = f"{PAGE}_998877"
URL = "/webhooks/facebook"


def comment(n: int, message: str = "A1 2 0912345678", name: str = "Lan") -> dict[str, Any]:
    return {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": f"{VIDEO}_{n}",
            "post_id": VIDEO,
            "parent_id": VIDEO,
            "from": {"id": f"u{n}", "name": name},
            "message": message,
            "created_time": 1_700_000_000 + n,
        },
    }


def envelope(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": PAGE, "time": 1_700_000_000, "changes": changes}]}


def facebook_bytes(payload: Any) -> bytes:
    """As Facebook sends it: non-ASCII escaped as \\uXXXX."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {signatures.HEADER: signatures.sign(secret, body), "Content-Type": "application/json"}


async def app_client(aiohttp_client, db_url: str, **settings: object) -> TestClient:
    settings = {"facebook_app_secret": SECRET, "facebook_verify_token": VERIFY_TOKEN, **settings}
    app = create_app(make_settings(db_url, **settings), run_worker=False, run_inbox=False)
    return await aiohttp_client(app)


@pytest.fixture
async def client(aiohttp_client, db_url: str) -> TestClient:
    return await app_client(aiohttp_client, db_url)


async def stored(client: TestClient) -> list[InboxMessage]:
    async with client.app[RUNTIME].sessions() as session:
        return list(await session.scalars(select(InboxMessage).order_by(InboxMessage.id)))


async def post(client: TestClient, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    async with client.post(URL, data=body, headers=headers) as response:
        return response.status, await response.json()


# The subscription handshake


async def test_the_handshake_echoes_the_challenge_for_the_right_token(client):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    async with client.get(URL, params=query) as response:
        assert response.status == 200
        assert await response.text() == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
    ids=["wrong-token", "empty-token", "wrong-mode", "no-token", "no-challenge", "no-params"],
)
async def test_the_handshake_refuses_anything_else_with_403(client, query):
    async with client.get(URL, params=query) as response:
        assert response.status == 403
        body = await response.json()
        assert body["error"] == "forbidden" and "1" not in body["message"]


async def test_without_a_verify_token_configured_no_handshake_succeeds(aiohttp_client, db_url):
    client = await app_client(aiohttp_client, db_url, facebook_verify_token=None)
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "7"}
    async with client.get(URL, params=query) as response:
        assert response.status == 403
        assert "FACEBOOK_VERIFY_TOKEN" in (await response.json())["message"]


# Signatures


async def test_a_signed_delivery_is_stored_byte_for_byte_and_answered_200(client):
    body = facebook_bytes(envelope(comment(1, "Chốt A1 size M, gửi về Hà Nội nhé 😍")))
    assert b"\\u1ed1" in body  # escaped as Facebook does

    assert await post(client, body, signed(body)) == (200, {"status": "stored"})

    [row] = await stored(client)
    assert (row.source, row.body, row.status, row.attempts) == ("facebook", body, "pending", 0)
    assert row.content_type == "application/json"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({signatures.HEADER: "sha256=" + "0" * 64}, "does not match"),
        ({signatures.HEADER: signatures.sign("another-app", b"{}")}, "does not match"),
        ({}, "missing"),
        ({signatures.HEADER: "sha256=xyz"}, "64 hex digits"),
        ({signatures.HEADER: ""}, "64 hex digits"),
        ({signatures.LEGACY_HEADER: "sha1=" + "a" * 40}, "SHA-1"),
    ],
    ids=["forged", "other-secret", "missing", "malformed", "empty", "sha1-only"],
)
async def test_a_delivery_without_a_valid_signature_is_401_and_not_stored(client, headers, message):
    body = facebook_bytes(envelope(comment(1)))
    status, answer = await post(client, body, {"Content-Type": "application/json", **headers})
    assert status == 401
    assert answer["error"] == "unauthorized" and message in answer["message"]
    assert await stored(client) == []


async def test_the_signature_of_the_body_as_sent_does_not_fit_the_same_json_re_encoded(client):
    payload = envelope(comment(1, "Lấy 2 cái áo A1 màu đỏ, ship Đà Nẵng"))
    as_sent = facebook_bytes(payload)
    re_encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert json.loads(as_sent) == json.loads(re_encoded) and as_sent != re_encoded

    status, _ = await post(client, re_encoded, signed(as_sent))
    assert status == 401
    assert await stored(client) == []
    assert (await post(client, as_sent, signed(as_sent)))[0] == 200
    assert [row.body for row in await stored(client)] == [as_sent]


async def test_the_signature_is_checked_before_the_body_is_read_as_json(client):
    status, answer = await post(
        client, b"not json at all", {signatures.HEADER: "sha256=" + "1" * 64}
    )
    assert (status, answer["error"]) == (401, "unauthorized")


async def test_a_signed_body_that_is_not_json_is_400_and_not_stored(client):
    for body in (b"not json at all", b'{"object": "page"', b"\xff\xfe garbage", b""):
        status, answer = await post(client, body, signed(body))
        assert (status, answer["error"]) == (400, "invalid_json"), body
    assert await stored(client) == []


def _processor_reads(body: bytes) -> bool:
    try:
        load_json(body)
    except UnreadableJson:
        return False
    return True


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    document=JSON_LIKE,
    cut=st.integers(min_value=0, max_value=400),
    junk=st.sampled_from(["", " ", "x", "}", "]", ",", '"', "\\ud800", "NaN", "[" * 5000]),
)
def test_what_counts_as_json_is_what_the_standard_library_reads(document, cut, junk):
    """The receiver's fast check refuses exactly what the processor cannot read (`json`, within
    a nesting limit): a refused delivery is retried and then dropped by Facebook, an accepted
    one that is not JSON is stored."""
    text = json.dumps(document, ensure_ascii=cut % 2 == 0, allow_nan=True)
    for body in (text.encode(), (text[:cut] + junk).encode(), (junk + text).encode()):
        assert is_json(body) == _processor_reads(body), body[:80]


async def test_without_an_app_secret_every_delivery_is_503(aiohttp_client, db_url):
    client = await app_client(aiohttp_client, db_url, facebook_app_secret=None)
    body = facebook_bytes(envelope(comment(1)))
    status, answer = await post(client, body, signed(body))
    assert status == 503 and "FACEBOOK_APP_SECRET" in answer["message"]
    assert await stored(client) == []


def padded(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    frame = b'{"pad":""}'
    return frame[:-2] + b"x" * (size - len(frame)) + frame[-2:]


async def test_a_body_above_the_limit_is_413_and_one_at_the_limit_is_stored(client):
    too_large = padded(MAX_BODY_BYTES + 1)
    status, answer = await post(client, too_large, signed(too_large))
    assert (status, answer["error"]) == (413, "too_large")

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(too_large), 64 * 1024):
            yield too_large[start : start + 64 * 1024]

    # Chunked, so the size is not announced: the limit holds while reading.
    async with client.post(URL, data=chunks(), headers=signed(too_large)) as response:
        assert response.status == 413
    assert await stored(client) == []

    at_limit = padded(MAX_BODY_BYTES)
    assert (await post(client, at_limit, signed(at_limit)))[0] == 200
    assert [len(row.body) for row in await stored(client)] == [MAX_BODY_BYTES]


async def test_the_same_delivery_twice_is_stored_twice_for_the_ingest_to_dedupe(client):
    body = facebook_bytes(envelope(comment(1)))
    for _ in range(2):
        assert (await post(client, body, signed(body)))[0] == 200
    assert [row.body for row in await stored(client)] == [body, body]


async def test_a_batch_of_1000_changes_is_one_stored_body(client):
    body = facebook_bytes(envelope(*(comment(n, f"B3 {n % 5 + 1}") for n in range(1000))))
    assert (await post(client, body, signed(body)))[0] == 200
    [row] = await stored(client)
    assert len(json.loads(row.body)["entry"][0]["changes"]) == 1000


async def test_concurrent_deliveries_are_committed_together_and_all_acknowledged(client):
    bodies = [facebook_bytes(envelope(comment(n))) for n in range(200)]
    writer = client.app[RUNTIME].inbox
    commits_before = writer.commits

    answers = await asyncio.gather(*(post(client, body, signed(body)) for body in bodies))

    assert [status for status, _ in answers] == [200] * 200
    rows = await stored(client)
    assert sorted(row.body for row in rows) == sorted(bodies)
    commits = writer.commits - commits_before
    assert 1 <= commits < 200, f"{commits} commits for 200 requests: no group commit"


async def test_a_body_is_refused_503_once_the_writer_has_stopped(client):
    await client.app[RUNTIME].inbox.stop()
    body = facebook_bytes(envelope(comment(1)))
    status, answer = await post(client, body, signed(body))
    assert (status, answer["error"]) == (503, "unavailable")


async def test_stopping_the_app_answers_every_request_it_accepted(aiohttp_server, db_url):
    """Shutdown waits for requests under way; the writer commits them before it stops."""
    settings = make_settings(db_url, facebook_app_secret=SECRET)
    app = create_app(settings, run_worker=False, run_inbox=False)
    server = await aiohttp_server(app)
    bodies = [facebook_bytes(envelope(comment(n))) for n in range(50)]
    async with httpx.AsyncClient(base_url=str(server.make_url("/"))) as http:
        sending = [
            asyncio.ensure_future(http.post(URL, content=body, headers=signed(body)))
            for body in bodies
        ]
        await asyncio.wait(sending, return_when="FIRST_COMPLETED")
        await server.close()
        answers = await asyncio.gather(*sending, return_exceptions=True)
    statuses = {a.status_code for a in answers if isinstance(a, httpx.Response)}
    assert statuses <= {200, 503}, "a request under way at shutdown was not answered properly"
    acknowledged = [
        body
        for body, answer in zip(bodies, answers, strict=True)
        if isinstance(answer, httpx.Response) and answer.status_code == 200
    ]
    assert acknowledged
    rows = await rows_in(db_url)
    assert set(acknowledged) <= set(rows), "a body answered 200 was not stored"


async def rows_in(db_url: str) -> list[bytes]:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            return list(await session.scalars(select(InboxMessage.body)))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("depth", [65, 100_000])
async def test_a_signed_body_nested_deeper_than_anyone_reads_is_400_and_not_stored(
    client: TestClient, depth: int
):
    body = b"[" * depth + b"]" * depth
    status, answer = await post(client, body, signed(body))
    assert (status, answer["error"]) == (400, "invalid_json")
    assert await stored(client) == []
