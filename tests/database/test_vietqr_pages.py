"""The VietQR code where buyers see it, over real HTTP on SQLite and PostgreSQL: the bill of an
order that asks money by transfer carries it as a second QR code (80 and 58 mm, PNG and PDF),
the tracking page shows it with the account and the memo, and `/t/<token>/vietqr.png` serves
it as a picture; every code read back with a real decoder. A COD order's papers are unchanged.
"""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.services import OrderService
from chotdon.app import create_app
from orders.changes import OrderChanges
from orders.payments import PaymentIn
from orders.vietqr import BankAccount, payload
from orders.views import OrderView
from tests.conftest import API_TOKEN, make_settings
from tests.factories import STAFF, order_in, seed_items
from tests.unit.test_print_many import pdf_pages

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
PUBLIC = "https://shop.example"
BANK = BankAccount("970415", "0011001932418", "NGUYEN THI HONG NHUNG")
BANK_SETTINGS = {
    "bank_bin": BANK.bin,
    "bank_account": BANK.account,
    "bank_account_name": BANK.name,
}
QR = zxingcpp.BarcodeFormat.QRCode


def qr_texts(image: Image.Image) -> set[str]:
    found = zxingcpp.read_barcodes(image.convert("L"))
    return {code.text for code in found if code.format == QR}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def app_client(aiohttp_client: Any, db_url: str, **overrides: Any) -> TestClient:
    settings = make_settings(db_url, public_url=PUBLIC, shop_name="Shop Hoa Mai", **overrides)
    return await aiohttp_client(create_app(settings, run_worker=False, run_bot=False))


@pytest.fixture
async def client(
    aiohttp_client: Any, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> TestClient:
    await seed_items(sessions)
    return await app_client(aiohttp_client, db_url, **BANK_SETTINGS)


async def paid_by(service: OrderService, method: str, deposit: int = 0) -> OrderView:
    """An order waiting for shipping, paid by `method` (staff set it, as the pages do)."""
    order = await order_in(service, "waiting_for_shipping")
    changes = OrderChanges(payment_method=method, deposit=deposit if deposit else None)
    return await service.act(order.id, "edit", actor=STAFF, version=order.version, changes=changes)


async def get(client: TestClient, path: str, headers: dict[str, str] | None = None) -> Any:
    async with client.get(path, headers=AUTH if headers is None else headers) as answer:
        return answer.status, dict(answer.headers), await answer.read()


# --- the bill ---------------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
async def test_a_transfer_orders_bill_carries_the_vietqr_code_beside_the_tracking_qr(
    client: TestClient, service: OrderService, paper: str
) -> None:
    order = await paid_by(service, "transfer")
    assert order.total == 330_000  # 2 x 150.000 + 30.000 shipping
    status, headers, body = await get(client, f"/api/orders/{order.id}/bill.png?paper={paper}")
    assert status == 200, body[:300]
    assert headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(body))
    assert image.width == (576 if paper == "80mm" else 384)
    expected = payload(BANK, 330_000, order.code)
    assert qr_texts(image) == {expected, f"{PUBLIC}/t/{order.tracking_token}"}


async def test_the_bill_pdf_carries_it_too(client: TestClient, service: OrderService) -> None:
    order = await paid_by(service, "transfer")
    for paper in ("80mm", "58mm"):
        status, headers, body = await get(client, f"/api/orders/{order.id}/bill.pdf?paper={paper}")
        assert status == 200, body[:300]
        assert headers["Content-Type"] == "application/pdf"
        read = set().union(*(qr_texts(image) for _, images in pdf_pages(body) for image in images))
        assert payload(BANK, 330_000, order.code) in read
    status, _, body = await get(client, f"/api/orders/bills.pdf?ids={order.id}")
    assert status == 200, body[:300]
    read = set().union(*(qr_texts(image) for _, images in pdf_pages(body) for image in images))
    assert payload(BANK, 330_000, order.code) in read


async def test_a_deposit_order_asks_the_deposit_until_it_is_paid(
    client: TestClient, service: OrderService
) -> None:
    order = await paid_by(service, "deposit", deposit=100_000)
    _, _, body = await get(client, f"/api/orders/{order.id}/bill.png")
    assert payload(BANK, 100_000, order.code) in qr_texts(Image.open(io.BytesIO(body)))
    await service.act(
        order.id, "record_payment", actor=STAFF, version=None, payment=PaymentIn(100_000)
    )
    _, _, body = await get(client, f"/api/orders/{order.id}/bill.png")
    assert qr_texts(Image.open(io.BytesIO(body))) == {f"{PUBLIC}/t/{order.tracking_token}"}


async def test_a_cod_orders_bill_has_only_the_tracking_qr(
    client: TestClient, service: OrderService
) -> None:
    order = await order_in(service, "waiting_for_shipping")
    _, _, body = await get(client, f"/api/orders/{order.id}/bill.png")
    assert qr_texts(Image.open(io.BytesIO(body))) == {f"{PUBLIC}/t/{order.tracking_token}"}


async def test_without_a_bank_account_a_transfer_bill_has_no_vietqr(
    aiohttp_client: Any, db_url: str, sessions: async_sessionmaker[AsyncSession], service
) -> None:
    await seed_items(sessions)
    client = await app_client(aiohttp_client, db_url)
    order = await paid_by(service, "transfer")
    _, _, body = await get(client, f"/api/orders/{order.id}/bill.png")
    assert qr_texts(Image.open(io.BytesIO(body))) == {f"{PUBLIC}/t/{order.tracking_token}"}
    status, _, _ = await get(client, f"/t/{order.tracking_token}/vietqr.png", headers={})
    assert status == 404


# --- the tracking page and its picture --------------------------------------------------------


async def test_the_tracking_page_shows_the_code_the_account_and_the_memo(
    client: TestClient, service: OrderService
) -> None:
    order = await paid_by(service, "transfer")
    async with client.get(f"/t/{order.tracking_token}") as answer:  # a buyer: no sign-in
        assert answer.status == 200
        html = await answer.text()
    page = text_of(html)
    assert "Thanh toán chuyển khoản" in page
    assert "Số tiền 330.000 đ" in page
    assert "Số tài khoản 0011001932418" in page
    assert "Chủ tài khoản NGUYEN THI HONG NHUNG" in page
    assert "Ngân hàng (BIN) 970415" in page
    assert f"Nội dung chuyển khoản {order.code}" in page
    assert f"Vui lòng giữ nguyên nội dung “{order.code}” để shop nhận ra đơn" in page
    assert "<svg" in html and "Đã nhận tiền" not in page
    assert "Không cần thanh toán thêm khi nhận hàng." in page  # nothing for the shipper


async def test_once_paid_the_page_says_so_and_the_picture_is_gone(
    client: TestClient, service: OrderService
) -> None:
    order = await paid_by(service, "transfer")
    png = f"/t/{order.tracking_token}/vietqr.png"
    status, headers, body = await get(client, png, headers={})
    assert status == 200
    assert headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"] == "no-store"
    assert qr_texts(Image.open(io.BytesIO(body))) == {payload(BANK, 330_000, order.code)}

    await service.act(
        order.id, "record_payment", actor=STAFF, version=None, payment=PaymentIn(330_000)
    )
    async with client.get(f"/t/{order.tracking_token}") as answer:
        html = await answer.text()
    page = text_of(html)
    assert "✓ Đã nhận tiền: 330.000 đ" in page
    assert "Thanh toán chuyển khoản" not in page and "<svg" not in html
    status, headers, _ = await get(client, png, headers={})
    assert status == 404
    assert headers["Cache-Control"] == "no-store"


async def test_a_cod_order_shows_no_code_and_has_no_picture(
    client: TestClient, service: OrderService
) -> None:
    order = await order_in(service, "waiting_for_shipping")
    async with client.get(f"/t/{order.tracking_token}") as answer:
        html = await answer.text()
    assert "<svg" not in html and "chuyển khoản" not in text_of(html)
    status, _, _ = await get(client, f"/t/{order.tracking_token}/vietqr.png", headers={})
    assert status == 404
    status, _, _ = await get(client, f"/t/{'x' * 22}/vietqr.png", headers={})
    assert status == 404


async def test_the_tracking_page_in_english(
    aiohttp_client: Any, db_url: str, sessions: async_sessionmaker[AsyncSession], service
) -> None:
    await seed_items(sessions)
    client = await app_client(aiohttp_client, db_url, language="en", **BANK_SETTINGS)
    order = await paid_by(service, "transfer")
    async with client.get(f"/t/{order.tracking_token}") as answer:
        page = text_of(await answer.text())
    assert "Pay by bank transfer" in page and "Account number 0011001932418" in page
    assert f"Please keep the memo “{order.code}” as it is" in page
