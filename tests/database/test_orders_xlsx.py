"""The orders list as an Excel file from a real database, on SQLite and PostgreSQL: every order
the list's filters match (across the list's pages), through `GET /api/orders.xlsx` and the
staff pages' `/orders.xlsx` over real HTTP against the whole app, read back with openpyxl as a
person opening the file would see it."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from application import web_logins as auth
from application.orders_xlsx import MEDIA_TYPE, orders_workbook
from application.services import OrderService
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from orders.changes import LineInput, OrderChanges
from orders.drafts import Buyer, NewOrder
from orders.errors import InvalidInput
from orders.payments import PaymentIn
from orders.queries import MAX_PAGE, OrderFilter
from orders.staff import add_staff
from orders.tables import Order, OrderLine
from orders.views import OrderView
from render.formats import LOCAL_ZONE
from staff_web.security import COOKIE
from tests.conftest import API_TOKEN, make_settings
from tests.factories import BUYER, STAFF, draft, order_in, seed_items
from tests.unit.test_orders_xlsx import Sheet, read_book

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
VIDEO = "1234567890123456"
FILENAME = r'attachment; filename="don-hang-\d{8}-\d{4}\.xlsx"'


@dataclass
class Shop:
    client: TestClient
    cookie: str

    @property
    def service(self) -> OrderService:
        return self.client.app[RUNTIME].orders

    async def get(
        self, path: str, *, signed_in: bool = True, api: bool = False
    ) -> tuple[int, dict[str, str], bytes]:
        headers = AUTH if api else {"Cookie": f"{COOKIE}={self.cookie}"} if signed_in else {}
        async with self.client.get(path, headers=headers, allow_redirects=False) as answer:
            return answer.status, dict(answer.headers), await answer.read()

    async def sheets(self, path: str, *, api: bool = False) -> list[Sheet]:
        status, headers, body = await self.get(path, api=api)
        assert status == 200, body[:500]
        assert headers["Content-Type"] == MEDIA_TYPE
        return read_book(body)


@pytest.fixture
async def shop(aiohttp_client: Any, db_url: str) -> Shop:
    engine = create_engine(db_url)
    try:
        await seed_items(session_factory(engine))
        async with session_factory(engine).begin() as session:
            row = await add_staff(session, 4242, "Lan", "sales")
            await add_staff(session, 4343, "Mai", "sales")
            started = await auth.start_session(session, row, "link")
    finally:
        await engine.dispose()
    app = create_app(make_settings(db_url), run_worker=False, run_inbox=False, run_bot=False)
    return Shop(await aiohttp_client(app), started.token)


def codes(sheet: Sheet) -> list[str]:
    return [row[0].value for row in sheet.rows]


async def many_orders(service: OrderService, count: int) -> list[str]:
    """`count` orders written straight to the tables (the use cases would take minutes for a
    few hundred), each with one line; their codes, oldest first."""
    made = [f"XL{n:06d}" for n in range(1, count + 1)]
    async with service.transaction() as session:
        for n, code in enumerate(made, start=1):
            order = Order(
                code=code,
                status="waiting_for_shipping",
                source="manual",
                buyer_name=f"Khách {n}",
                buyer_phone=f"09{n:08d}",
                street=f"{n} Lê Lợi",
                province="Thành phố Hà Nội",
                shipping_fee=30_000,
            )
            order.lines = [
                OrderLine(
                    position=0,
                    code="A1",
                    sku="AO-001",
                    name="Áo thun trắng",
                    unit_price=150_000,
                    quantity=n % 3 + 1,
                )
            ]
            session.add(order)
    return made


async def live_order(service: OrderService, n: int, name: str = "") -> OrderView:
    buyer = Buyer(
        name=name or f"Khách live {n}",
        phone=f"09876543{n:02d}",
        street="1 Hàng Bài",
        ward="Phường Cửa Nam",
        province="Thành phố Hà Nội",
        facebook_id=f"fb-live-{n}",
    )
    new = NewOrder(
        buyer=buyer, lines=[LineInput(quantity=1, code="B3")], source="livestream", video_id=VIDEO
    )
    return await service.create_draft(new, STAFF)


async def transfer_order(service: OrderService) -> OrderView:
    """A waiting order the buyer pays by transfer, nothing received yet."""
    order = await draft(service)
    order = await service.act(
        order.id,
        "save_draft",
        actor=STAFF,
        version=order.version,
        changes=OrderChanges(payment_method="transfer"),
    )
    return await service.act(order.id, "create_order", actor=STAFF, version=order.version)


async def test_every_matching_order_is_in_the_file_not_just_a_page(shop: Shop):
    made = await many_orders(shop.service, 2 * MAX_PAGE + 17)
    book = await orders_workbook(shop.service, OrderFilter(limit=5), "vi")
    assert (book.orders, book.lines) == (len(made), len(made))
    orders_sheet, lines_sheet = read_book(book.data)
    assert codes(orders_sheet) == made[::-1]  # newest first, as the list; each once
    assert sum(orders_sheet.values("Tổng cộng")) == sum(
        150_000 * (n % 3 + 1) + 30_000 for n in range(1, len(made) + 1)
    )
    assert sorted(lines_sheet.values("Mã đơn")) == sorted(made)
    assert set(orders_sheet.values("SĐT")) == {f"09{n:08d}" for n in range(1, len(made) + 1)}


async def test_the_file_keeps_to_the_lists_filters(shop: Shop):
    service = shop.service
    drafts = [await draft(service) for _ in range(2)]
    waiting = await order_in(service, "waiting_for_shipping")
    live = [await live_order(service, n) for n in range(3)]
    awaiting = await transfer_order(service)
    paid = await transfer_order(service)
    paid = await service.act(
        paid.id, "record_payment", actor=STAFF, version=None, payment=PaymentIn(400_000)
    )

    async def listed(**filters: Any) -> list[str]:
        book = await orders_workbook(service, OrderFilter(**filters), "vi")
        return codes(read_book(book.data)[0])

    assert await listed(status="draft") == [o.code for o in (*live[::-1], *drafts[::-1])]
    assert await listed(video_id=VIDEO) == [o.code for o in live[::-1]]
    assert await listed(payment="awaiting_transfer") == [awaiting.code]
    assert await listed(payment="overpaid") == [paid.code]
    assert await listed(status="waiting_for_shipping", payment="awaiting_transfer") == [
        awaiting.code
    ]
    assert await listed(q=waiting.code) == [waiting.code]
    assert await listed(q="Khách live") == [o.code for o in live[::-1]]
    with pytest.raises(InvalidInput):
        await listed(status="shipped")


async def test_refused_filters_leave_no_temporary_file(shop: Shop):
    await draft(shop.service)
    folder = tempfile.gettempdir()
    before = set(os.listdir(folder))
    with pytest.raises(InvalidInput):
        await orders_workbook(shop.service, OrderFilter(payment="owed"), "vi")
    assert set(os.listdir(folder)) - before == set()


async def test_the_creation_time_is_vietnams_and_money_adds_up(shop: Shop):
    order = await order_in(shop.service, "wait_for_cod")
    orders_sheet, lines_sheet = await shop.sheets("/api/orders.xlsx", api=True)
    row = orders_sheet.row_of(order.code or "")
    created = row["Ngày tạo"]
    assert created.is_date
    expected = order.created_at.astimezone(LOCAL_ZONE).replace(tzinfo=None, second=0)
    assert created.value.replace(second=0, microsecond=0) == expected.replace(microsecond=0)
    assert row["Trạng thái"].value == "Chờ thu hộ (COD)"
    assert row["Tổng cộng"].value == 330_000 and row["COD"].value == 330_000
    assert row["Đơn vị giao / shipper"].value == "Shipper riêng · Anh Tuấn · 0987654321"
    assert row["SĐT"].value == BUYER.phone and row["SĐT"].data_type == "s"
    assert [cell.value for cell in lines_sheet.rows[0][:8]] == [
        order.code,
        "A1",
        "AO-001",
        "Áo thun trắng",
        None,
        2,
        150_000,
        300_000,
    ]


# GET /api/orders.xlsx


async def test_the_api_sends_the_file_as_an_attachment(shop: Shop):
    first = await draft(shop.service)
    second = await order_in(shop.service, "waiting_for_shipping")
    status, headers, body = await shop.get("/api/orders.xlsx?status=draft&limit=1", api=True)
    assert status == 200
    assert headers["Content-Type"] == MEDIA_TYPE
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Orders"] == "1"
    assert re.fullmatch(FILENAME, headers["Content-Disposition"]), headers
    now = datetime.now(LOCAL_ZONE).strftime("%Y%m%d")
    assert f"don-hang-{now}" in headers["Content-Disposition"]
    orders_sheet, _ = read_book(body)
    assert codes(orders_sheet) == [first.code]
    assert second.code not in codes(orders_sheet)
    # The list's paging means nothing for a file: a cursor, even a bad one, is not read.
    everything = await shop.sheets("/api/orders.xlsx?limit=1&cursor=nonsense&status=", api=True)
    assert codes(everything[0]) == [second.code, first.code]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=shipped", "status"),
        ("buyer_confirmation=maybe", "buyer_confirmation"),
        ("empty_drafts=some", "empty_drafts"),
        ("staff=abc", "staff"),
    ],
)
async def test_bad_filters_are_refused_as_the_list_refuses_them(shop: Shop, query: str, field: str):
    async with shop.client.get(f"/api/orders?{query}", headers=AUTH) as listed:
        list_status, list_body = listed.status, await listed.json()
    status, headers, body = await shop.get(f"/api/orders.xlsx?{query}", api=True)
    assert (status, list_status) == (422, 422)
    assert headers["Content-Type"].startswith("application/json")
    answer = json.loads(body)
    assert answer["error"] == list_body["error"] == "invalid_input"
    assert field in json.dumps(answer)


async def test_the_api_wants_its_token(shop: Shop):
    status, _, _ = await shop.get("/api/orders.xlsx", signed_in=False)
    assert status == 401


async def test_a_buyer_name_like_a_formula_stays_text_from_the_database(shop: Shop):
    name = '=HYPERLINK("http://evil.example","Nhận quà")'
    order = await live_order(shop.service, 1, name=name)
    order = await shop.service.act(
        order.id,
        "save_draft",
        actor=STAFF,
        version=order.version,
        changes=OrderChanges(note="-1+1 @SUM(A1)"),
    )
    orders_sheet, _ = await shop.sheets("/api/orders.xlsx", api=True)
    row = orders_sheet.row_of(order.code or "")
    assert row["Tên khách"].value == name and row["Tên khách"].data_type == "s"
    assert row["Ghi chú"].value == "-1+1 @SUM(A1)" and row["Ghi chú"].data_type == "s"
    assert row["Tên khách"].quotePrefix and row["Ghi chú"].quotePrefix


# The staff pages


async def test_the_list_links_to_the_file_of_its_tab_and_filters(shop: Shop):
    awaiting = await transfer_order(shop.service)
    await order_in(shop.service, "waiting_for_shipping")
    await draft(shop.service)
    status, _, page = await shop.get("/?status=waiting_for_shipping&payment=awaiting_transfer")
    assert status == 200
    html = page.decode()
    link = "/orders.xlsx?status=waiting_for_shipping&amp;payment=awaiting_transfer"
    assert f'href="{link}"' in html
    assert "Xuất Excel" in html
    orders_sheet, lines_sheet = await shop.sheets(link.replace("&amp;", "&"))
    assert codes(orders_sheet) == [awaiting.code]
    assert orders_sheet.headings[0] == "Mã đơn" and lines_sheet.title == "Dòng hàng"
    _, _, everything = await shop.get("/")
    assert 'href="/orders.xlsx"' in everything.decode()


async def test_the_pages_file_leaves_out_empty_drafts_as_the_list_does(shop: Shop):
    kept = await draft(shop.service)
    async with shop.service.transaction() as session:  # a draft whose buyer took every line back
        empty = Order(code="XL000001", status="draft", source="livestream", video_id=VIDEO)
        session.add(empty)
    status, headers, body = await shop.get("/orders.xlsx")
    assert status == 200 and headers["Content-Disposition"].startswith("attachment;")
    assert codes(read_book(body)[0]) == [kept.code]
    only = await shop.sheets("/orders.xlsx?empty=only")
    assert codes(only[0]) == [empty.code]


async def test_only_signed_in_staff_get_the_file(shop: Shop):
    await draft(shop.service)
    status, headers, body = await shop.get("/orders.xlsx?status=draft", signed_in=False)
    assert status == 303
    assert headers["Location"] == "/login?next=" + quote("/orders.xlsx?status=draft", safe="/")
    assert b"PK" not in body[:2]
