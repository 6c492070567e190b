"""One PDF for many orders and the buyer's tracking page, over real HTTP against the whole app
(render worker included), on SQLite and PostgreSQL: the PDFs read back page by page with a
real decoder, the tracking page read as the buyer's browser gets it."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from typing import Any
from urllib.parse import quote

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application import web_logins as auth
from application.services import OrderService
from chotdon.app import create_app
from orders.staff import add_staff
from orders.tables import Order
from orders.views import OrderView
from staff_web.security import COOKIE
from tests.conftest import API_TOKEN, make_settings
from tests.factories import draft, order_in, seed_items
from tests.unit.test_print_many import pdf_pages

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
PUBLIC = "https://shop.example"
MM = 72 / 25.4
CODE128 = zxingcpp.BarcodeFormat.Code128
QR = zxingcpp.BarcodeFormat.QRCode


def codes(image: Image.Image) -> set[tuple[object, str]]:
    return {(found.format, found.text) for found in zxingcpp.read_barcodes(image.convert("L"))}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
async def client(
    aiohttp_client: Any, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> TestClient:
    await seed_items(sessions)
    settings_ = make_settings(db_url, public_url=PUBLIC, shop_name="Shop Hoa Mai")
    return await aiohttp_client(create_app(settings_, run_worker=False, run_bot=False))


async def get(client: TestClient, path: str, headers: dict[str, str] | None = None) -> Any:
    async with client.get(path, headers=AUTH if headers is None else headers) as answer:
        return answer.status, dict(answer.headers), await answer.read()


# --- bills.pdf --------------------------------------------------------------------------------


async def test_bills_pdf_starts_each_bill_on_a_page_in_the_order_given(
    client: TestClient, service: OrderService
) -> None:
    a, b, c = [await order_in(service, "waiting_for_shipping") for _ in range(3)]
    status, headers, body = await get(client, f"/api/orders/bills.pdf?ids={c.id},{a.id},{b.id}")
    assert status == 200, body[:300]
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == 'inline; filename="bills-3.pdf"'
    assert headers["Cache-Control"] == "no-store"
    pages = pdf_pages(body)
    assert len(pages) == 3  # each short bill on one page of its own
    assert (headers["X-Orders"], headers["X-Pages"]) == ("3", "3")
    read = [codes(images[0]) for _, images in pages]
    for found, order in zip(read, (c, a, b), strict=True):
        assert (CODE128, order.code) in found
        assert (QR, f"{PUBLIC}/t/{order.tracking_token}") in found
    for (width, _), _ in pages:
        assert width == pytest.approx(80 * MM, abs=0.5)


async def test_bills_pdf_on_58mm_paper(client: TestClient, service: OrderService) -> None:
    order = await order_in(service, "draft")
    status, _, body = await get(client, f"/api/orders/bills.pdf?ids={order.id}&paper=58")
    assert status == 200
    [((width, _), _)] = pdf_pages(body)
    assert width == pytest.approx(58 * MM, abs=0.5)


# --- shipping-notes.pdf -----------------------------------------------------------------------


async def test_shipping_notes_a6_and_a4(client: TestClient, service: OrderService) -> None:
    orders = [await order_in(service, "shipping") for _ in range(5)]
    ids = ",".join(str(order.id) for order in orders)
    status, headers, body = await get(client, f"/api/orders/shipping-notes.pdf?ids={ids}")
    assert status == 200, body[:300]
    assert headers["Content-Disposition"] == 'inline; filename="shipping-notes-5.pdf"'
    a6 = pdf_pages(body)
    assert len(a6) == 5
    for ((width, height), images), order in zip(a6, orders, strict=True):
        assert (width, height) == (pytest.approx(100 * MM, abs=0.5), pytest.approx(150 * MM, 0.5))
        assert (CODE128, order.code) in codes(images[0])  # no tracking code: the order's

    path = f"/api/orders/shipping-notes.pdf?ids={ids}&sheet=a4"
    status, headers, body = await get(client, path)
    assert status == 200
    a4 = pdf_pages(body)
    assert [len(images) for _, images in a4] == [4, 1]
    assert (headers["X-Orders"], headers["X-Pages"]) == ("5", "2")  # two sheets
    for (width, height), _ in a4:
        assert (width, height) == (pytest.approx(210 * MM, abs=0.5), pytest.approx(297 * MM, 0.5))
    labels = [image for _, images in a4 for image in images]
    assert all((CODE128, o.code) in codes(lb) for o, lb in zip(orders, labels, strict=True))


# --- refusals ---------------------------------------------------------------------------------


async def test_unknown_ids_are_named_in_a_404(client: TestClient, service: OrderService) -> None:
    order = await order_in(service, "draft")
    path = f"/api/orders/bills.pdf?ids={order.id},999999,888888,999999"
    status, _, body = await get(client, path)
    assert status == 404
    answer = json.loads(body)
    assert answer["error"] == "not_found"
    assert answer["params"] == {"ids": [999999, 888888]}
    assert "999999, 888888" in answer["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "ids"),
        ("?ids=", "ids"),
        ("?ids=1,abc", "ids"),
        ("?ids=" + ",".join(["1"] * 501), "ids"),
        ("?ids=1&paper=76", "paper"),
    ],
)
async def test_bad_queries_are_a_422_naming_the_parameter(
    client: TestClient, query: str, field: str
) -> None:
    status, _, body = await get(client, f"/api/orders/bills.pdf{query}")
    assert status == 422, body[:300]
    answer = json.loads(body)
    assert answer["error"] == "invalid_input" and answer["field"] == field
    assert answer["message"]


async def test_a_sheet_we_do_not_print_on_is_a_422(client: TestClient) -> None:
    status, _, body = await get(client, "/api/orders/shipping-notes.pdf?ids=1&sheet=letter")
    assert status == 422 and b'"field": "sheet"' in body


async def test_without_the_token_nothing_is_printed(client: TestClient) -> None:
    status, _, _ = await get(client, "/api/orders/bills.pdf?ids=1", headers={})
    assert status == 401


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ids=st.text(max_size=60), sheet=st.text(max_size=8))
async def test_no_ids_text_is_a_500(client: TestClient, ids: str, sheet: str) -> None:
    params = {"ids": ids, "sheet": sheet}
    async with client.get("/api/orders/shipping-notes.pdf", params=params, headers=AUTH) as got:
        body = await got.read()
        assert got.status in (200, 404, 422), body[:300]
        assert got.status == 200 or set(json.loads(body)) >= {"error", "message"}


# --- tracking_url and the tracking page -------------------------------------------------------


async def test_every_order_has_a_tracking_url(client: TestClient, service: OrderService) -> None:
    order = await draft(service)
    status, _, body = await get(client, f"/api/orders/{order.id}")
    assert status == 200
    answer = json.loads(body)
    assert answer["tracking_url"] == f"{PUBLIC}/t/{order.tracking_token}"
    status, _, body = await get(client, "/api/orders?status=draft")
    assert json.loads(body)["orders"][0]["tracking_url"].startswith(f"{PUBLIC}/t/")


async def ship_with_ghn(sessions: async_sessionmaker[AsyncSession], order: OrderView) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(Order)
            .where(Order.id == order.id)
            .values(shipper_kind="ghn", tracking_code="LBK3F9QX", shipper_name=None)
        )


async def test_the_tracking_page_shows_the_order_and_hides_the_address(
    client: TestClient, service: OrderService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    order = await order_in(service, "shipping")
    await ship_with_ghn(sessions, order)
    async with client.get(f"/t/{order.tracking_token}") as answer:  # no cookie, no token
        assert answer.status == 200
        html = await answer.text()
        headers = answer.headers
    assert "no-store" in headers["Cache-Control"]
    assert "noindex" in headers["X-Robots-Tag"]
    assert headers["Referrer-Policy"] == "no-referrer"
    page = text_of(html)
    assert order.code in page
    assert "Đang giao hàng" in page  # Vietnamese by default
    assert "091****678" in page and "0912345678" not in page
    assert "Lý Thường Kiệt" not in html and "Cửa Nam" not in html  # no street, no ward
    assert "Áo thun trắng" in page and "330.000 đ" in page  # 2 x 150.000 + 30.000
    assert "Mã vận đơn LBK3F9QX" in page
    assert 'href="https://donhang.ghn.vn/?order_code=LBK3F9QX"' in html
    assert "Cần thanh toán khi nhận hàng (COD) 330.000 đ" in page


async def test_the_tracking_page_in_english(
    aiohttp_client: Any,
    db_url: str,
    service: OrderService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed_items(sessions)
    app = create_app(make_settings(db_url, language="en"), run_worker=False, run_bot=False)
    client = await aiohttp_client(app)
    order = await order_in(service, "complete")
    async with client.get(f"/t/{order.tracking_token}") as answer:
        page = text_of(await answer.text())
    assert "Delivered" in page and "Nothing more to pay on delivery." in page
    assert "The shop's own shipper" in page


@pytest.mark.parametrize("token", ["x" * 22, "short", "abc%20def%3Cscript%3E", "a" * 200])
async def test_an_unknown_token_is_a_404_page(client: TestClient, token: str) -> None:
    async with client.get(f"/t/{token}") as answer:
        assert answer.status == 404
        assert answer.content_type == "text/html"
        assert "Không tìm thấy đơn hàng" in text_of(await answer.text())
        assert "noindex" in answer.headers["X-Robots-Tag"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(token=st.text(min_size=1, max_size=80))
async def test_no_token_is_a_500(client: TestClient, token: str) -> None:
    async with client.get("/t/" + quote(token, safe="")) as got:
        assert got.status in (404, 200), await got.text()


async def test_the_bill_png_qr_opens_the_tracking_page(
    client: TestClient, service: OrderService
) -> None:
    order = await order_in(service, "waiting_for_shipping")
    status, _, body = await get(client, f"/api/orders/{order.id}/bill.png")
    assert status == 200
    found = codes(Image.open(io.BytesIO(body)))
    assert (QR, f"{PUBLIC}/t/{order.tracking_token}") in found


# --- the staff pages' routes ------------------------------------------------------------------


async def test_staff_print_routes_answer_the_same_pdf_for_signed_in_staff(
    aiohttp_client: Any, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_items(sessions)
    async with sessions.begin() as session:
        row = await add_staff(session, 4242, "Lan", "sales")
        started = await auth.start_session(session, row, "link")
    app = create_app(make_settings(db_url, public_url=PUBLIC), run_worker=False, run_bot=False)
    client = await aiohttp_client(app)
    service = OrderService(sessions)
    orders = [await order_in(service, "shipping") for _ in range(2)]
    ids = ",".join(str(order.id) for order in orders)

    async with client.get(f"/print/bills.pdf?ids={ids}", allow_redirects=False) as answer:
        assert answer.status == 303  # not signed in: to the sign-in page
    client.session.cookie_jar.update_cookies({COOKIE: started.token})
    async with client.get(f"/print/bills.pdf?ids={ids}") as answer:
        assert answer.status == 200
        assert len(pdf_pages(await answer.read())) == 2
    async with client.get(f"/print/shipping-notes.pdf?ids={ids}&sheet=a4") as answer:
        assert answer.status == 200
        assert [len(images) for _, images in pdf_pages(await answer.read())] == [2]
    async with client.get("/print/bills.pdf?ids=77777") as answer:
        assert answer.status == 404
        assert "77777" in text_of(await answer.text())
    async with client.get("/print/shipping-notes.pdf?ids=x") as answer:
        assert answer.status == 400
        assert "x" in text_of(await answer.text())
