"""A buyer confirms in Messenger an order that asks money by transfer, end to end on both
databases: signed webhook bodies, the real inbox and outbox worker, the local fake Graph API.
The answer says where to send the money, then a second message attaches the order's VietQR
code by URL, and that URL serves a PNG a decoder reads back as the order's payload. A COD
order, or a shop without its account set, gets no code."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import zxingcpp
from aiohttp.test_utils import TestClient
from PIL import Image

from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from livestream.graph import GRAPH_API_VERSION, GraphClient
from orders.changes import OrderChanges
from orders.vietqr import BankAccount, payload
from tests.conftest import make_settings
from tests.database.test_facebook_webhook import SECRET
from tests.database.test_messenger import (
    FAST,
    PAGE,
    TOKEN,
    asked,
    deliver,
    order,
    said,
    settled,
)
from tests.factories import STAFF, seed_items
from tests.fakes.graph import FakeGraph

PUBLIC = "https://shop.example"
BANK = BankAccount("970415", "0011001932418", "NGUYEN THI HONG NHUNG")
BANK_SETTINGS = {
    "bank_bin": BANK.bin,
    "bank_account": BANK.account,
    "bank_account_name": BANK.name,
}


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph(access_token=TOKEN, page_id=PAGE)


@pytest.fixture
async def graph_url(fake: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.release()


async def service_with(aiohttp_client, db_url: str, graph_url: str, **overrides) -> TestClient:
    settings = make_settings(
        db_url,
        facebook_app_secret=SECRET,
        facebook_page_access_token=TOKEN,
        facebook_graph_url=graph_url,
        facebook_page_id=PAGE,
        private_reply=True,
        **{"public_url": PUBLIC, **overrides},
    )
    app = create_app(settings, run_worker=True, run_inbox=True, run_bot=False, pace=FAST)
    client = await aiohttp_client(app)
    await seed_items(app[RUNTIME].sessions)
    return client


@pytest.fixture
async def client(aiohttp_client, db_url: str, graph_url: str) -> TestClient:
    return await service_with(aiohttp_client, db_url, graph_url, **BANK_SETTINGS)


async def paid_by(client: TestClient, order_id: int, method: str, deposit: int = 0) -> None:
    """Staff set how the draft is paid, as the pages and the API do."""
    service = client.app[RUNTIME].orders
    view = await service.detail(order_id)
    changes = OrderChanges(payment_method=method, deposit=deposit or None)
    await service.act(order_id, "edit", actor=STAFF, version=view.version, changes=changes)


async def confirm(client: TestClient, fake: FakeGraph, draft: dict[str, Any]) -> None:
    tap = said(fake, "psid-u1", "Xác nhận đơn", payload=f"CONFIRM:{draft['code']}")
    await deliver(client, messaging=[tap])
    await settled(client)


def decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return [found.text for found in zxingcpp.read_barcodes(image)]


async def test_confirming_a_transfer_order_gives_the_account_then_the_code(client, fake):
    draft = await asked(client, fake, "u1")
    await paid_by(client, draft["id"], "transfer")

    await confirm(client, fake, draft)

    view = await client.app[RUNTIME].orders.detail(draft["id"])
    code, total = draft["code"], view.total
    assert view.buyer_confirmation == "confirmed" and view.payment.transfer_asked == total
    [(psid, words), (psid_again, picture)] = fake.messages
    assert psid == psid_again == "psid-u1"
    text = words["message"]["text"]
    assert f"Cảm ơn bạn đã xác nhận đơn {code}!" in text
    assert "Shop sẽ gửi hàng khi nhận được tiền chuyển khoản." in text
    amount = f"{total:,}".replace(",", ".") + "đ"
    assert (
        f"Bạn chuyển khoản {amount} vào tài khoản 0011001932418 (chủ tài khoản "
        f"NGUYEN THI HONG NHUNG), ngân hàng mã BIN 970415, nội dung “{code}”." in text
    )
    assert "giữ nguyên nội dung" in text and "Mã QR ở tin nhắn tiếp theo" in text
    url = f"{PUBLIC}/t/{view.tracking_token}/vietqr.png"
    assert picture == {
        "recipient": {"id": "psid-u1"},
        "messaging_type": "RESPONSE",
        "message": {"attachment": {"type": "image", "payload": {"url": url, "is_reusable": False}}},
    }
    # What Facebook would fetch: the service's own route, under CHOTDON_PUBLIC_URL.
    async with client.get(url.removeprefix(PUBLIC)) as answer:
        assert answer.status == 200
        assert answer.content_type == "image/png"
        png = await answer.read()
    assert decoded(png) == [payload(BANK, total, code)]
    answered = await order(client, draft["id"])
    sent = [e["details"] for e in answered["events"] if e["action"] == "messenger_reply_sent"]
    assert [details.get("attachment") for details in sent] == [None, "image"]


async def test_a_deposit_order_asks_the_deposit(client, fake):
    draft = await asked(client, fake, "u1")
    await paid_by(client, draft["id"], "deposit", deposit=100_000)

    await confirm(client, fake, draft)

    [(_, words), (_, picture)] = fake.messages
    text = words["message"]["text"]
    assert "Shop sẽ gửi hàng khi nhận được tiền cọc." in text
    assert "Bạn chuyển khoản tiền cọc 100.000đ vào tài khoản 0011001932418" in text
    url = picture["message"]["attachment"]["payload"]["url"]
    async with client.get(url.removeprefix(PUBLIC)) as answer:
        png = await answer.read()
    assert decoded(png) == [payload(BANK, 100_000, draft["code"])]


async def test_a_cod_orders_confirm_sends_no_code(client, fake):
    draft = await asked(client, fake, "u1")

    await confirm(client, fake, draft)

    [(_, words)] = fake.messages
    text = words["message"]["text"]
    assert f"Cảm ơn bạn đã xác nhận đơn {draft['code']}! Shop sẽ gửi hàng sớm." in text
    assert "chuyển khoản" not in text and "0011001932418" not in text


async def test_without_the_shops_account_no_code_is_sent(aiohttp_client, db_url, graph_url, fake):
    client = await service_with(aiohttp_client, db_url, graph_url)
    draft = await asked(client, fake, "u1")
    await paid_by(client, draft["id"], "transfer")

    await confirm(client, fake, draft)

    [(_, words)] = fake.messages
    assert "attachment" not in words["message"]
    assert "tài khoản" not in words["message"]["text"]


async def test_without_a_public_address_the_account_is_given_without_a_picture(
    aiohttp_client, db_url, graph_url, fake
):
    """No `CHOTDON_PUBLIC_URL`: no address Facebook could fetch the picture from."""
    client = await service_with(
        aiohttp_client, db_url, graph_url, **{**BANK_SETTINGS, "public_url": ""}
    )
    draft = await asked(client, fake, "u1")
    await paid_by(client, draft["id"], "transfer")

    await confirm(client, fake, draft)

    [(_, words)] = fake.messages
    text = words["message"]["text"]
    assert "vào tài khoản 0011001932418" in text and "Mã QR" not in text


# -- the fake Graph refuses what Graph refuses ---------------------------------------------


async def test_the_send_api_takes_text_or_one_attachment_never_both_nor_neither(fake, graph_url):
    fake.buyer_wrote("psid-u1")
    messages = f"{graph_url}/{GRAPH_API_VERSION}/{PAGE}/messages"
    image = {"type": "image", "payload": {"url": "https://shop.example/q.png"}}
    refused = [
        {},  # neither
        {"text": "Dạ", "attachment": image},  # both
        {"attachment": {"type": "sticker", "payload": {"url": "https://x.example/a.png"}}},
        {"attachment": {"type": "image", "payload": {}}},
        {"attachment": {"type": "image", "payload": {"url": "/relative.png"}}},
        {"attachment": {"type": "image", "payload": {"url": "https://x", "is_reusable": "no"}}},
        {"attachment": "https://shop.example/q.png"},
    ]
    async with httpx.AsyncClient(trust_env=False) as http:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        for message in refused:
            body = {"recipient": {"id": "psid-u1"}, "messaging_type": "RESPONSE"}
            answer = await http.post(messages, json={**body, "message": message}, headers=headers)
            assert answer.status_code == 400, message
            assert answer.json()["error"]["code"] == 100
        graph = GraphClient(http, base_url=graph_url, access_token=TOKEN, page_id=PAGE)
        sent = await graph.send_image("psid-u1", "https://shop.example/t/abc/vietqr.png")
    assert sent.recipient_id == "psid-u1"
    [(_, body)] = fake.messages
    assert body["message"] == {
        "attachment": {
            "type": "image",
            "payload": {"url": "https://shop.example/t/abc/vietqr.png", "is_reusable": False},
        }
    }
