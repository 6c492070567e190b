"""The COD debt page's statement upload over real HTTP against the whole app, on each backend:
a staff member signed in for real (a web session started before the app, its cookie and CSRF
token on each request) uploads a carrier's statement with the page's form, reads its report,
and sees on the debt page what the carrier still owes, what it settled and the fees it kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from application import web_logins as auth
from application.services import OrderService
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from orders.staff import add_staff
from staff_web.security import COOKIE
from tests.cod_orders import COD, HEADER, csv_bytes, delivered, in_days
from tests.conftest import make_settings
from tests.factories import STAFF, order_in, seed_items


@dataclass
class Page:
    client: TestClient
    cookie: str
    csrf: str

    @property
    def service(self) -> OrderService:
        return self.client.app[RUNTIME].orders

    async def get(self, path: str, status: int = 200) -> str:
        async with self.client.get(path, headers=self._cookie()) as response:
            body = await response.text()
            assert response.status == status, body
            return body

    async def upload(
        self, data: bytes, filename: str = "ghn.csv", *, status: int = 200, csrf: bool = True
    ) -> tuple[str, str]:
        """The page the form's POST ends on (redirects followed) and its path."""
        form = FormData()
        if csrf:
            form.add_field("csrf", self.csrf)
        form.add_field("file", data, filename=filename, content_type="text/csv")
        async with self.client.post(
            "/debt/statements", data=form, headers=self._cookie()
        ) as response:
            body = await response.text()
            assert response.status == status, body
            return body, response.url.path

    def _cookie(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}"}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def _signed_in(aiohttp_client: Any, db_url: str, language: str | None) -> Page:
    engine = create_engine(db_url)
    try:
        await seed_items(session_factory(engine))
        async with session_factory(engine).begin() as session:
            row = await add_staff(session, 7007, "Thu Ngân Hạnh", "cashier")
            started = await auth.start_session(session, row, "link")
    finally:
        await engine.dispose()
    settings = make_settings(db_url, **({"language": language} if language else {}))
    app = create_app(settings, run_worker=False, run_inbox=False, run_bot=False)
    return Page(await aiohttp_client(app), started.token, started.csrf_token)


@pytest.fixture
async def page(aiohttp_client: Any, db_url: str) -> Page:
    return await _signed_in(aiohttp_client, db_url, "en")


@pytest.fixture
async def page_vi(aiohttp_client: Any, db_url: str) -> Page:
    return await _signed_in(aiohttp_client, db_url, None)


async def test_a_cashier_uploads_a_statement_and_reads_its_report(page: Page):
    right = await delivered(page.service, "GHNP1")
    wrong = await delivered(page.service, "GHNP2")
    left_out = await delivered(page.service, "GHNP3")
    debt_page = await page.get("/debt")
    assert 'action="/debt/statements"' in debt_page and 'enctype="multipart/form-data"' in debt_page
    assert f'name="csrf" value="{page.csrf}"' in debt_page
    assert "No statement uploaded yet." in text_of(debt_page)

    file = csv_bytes(
        [
            HEADER,
            ("GHNP1", "330.000", "15.000", in_days(5)),
            ("GHNP2", "300.000", "15.000", in_days(5)),
            ("NOPE9", "100.000", "0", in_days(5)),
            ("GHNP4", "lots", "", ""),
        ]
    )
    report, path = await page.upload(file)
    assert re.fullmatch(r"/debt/statements/[0-9]+", path)
    text = text_of(report)
    assert "Statement ghn.csv" in text and "Thu Ngân Hạnh" in text
    assert "COD collected for 1 orders: 330.000 đ (fees kept 15.000 đ)" in text
    assert "The COD differs from what the order owes" in text and wrong.code in text
    assert "No order has this tracking code" in text and "NOPE9" in text
    assert "This line could not be read: the COD is not an amount of money (lots)" in text
    assert "Delivered over 3 days ago but not on the statement" in text
    assert left_out.code in text
    assert (await page.service.detail(right.id)).status == "complete"

    debt = text_of(await page.get("/debt"))
    assert "Owes 660.000 đ" in debt  # the wrong one and the one left out
    assert "Reconciled 330.000 đ" in debt and "fees kept 15.000 đ" in debt
    assert "never reconciled" not in debt
    assert "ghn.csv" in debt  # the past uploads

    again, _ = await page.upload(file)
    assert "COD collected for 0 orders: 0 đ" in text_of(again)
    assert "1 orders were collected before" in text_of(again)


async def test_the_report_speaks_vietnamese_by_default(page_vi: Page):
    await delivered(page_vi.service, "GHNV1")
    file = csv_bytes(
        [("Mã vận đơn", "Tiền thu hộ"), ("GHNV1", "100.000"), ("GHNV9", "100.000")], bom=True
    )
    report, _ = await page_vi.upload(file, "đối soát.csv")
    text = text_of(report)
    assert "Bảng đối soát đối soát.csv" in text
    assert "Số tiền thu hộ khác với công nợ của đơn" in text
    assert "Không có đơn nào có mã vận đơn này" in text
    assert "Lệch (1)" in text and "Không rõ (1)" in text
    for english in ("Collected", "Mismatched", "Unknown", "Statement", "Reason"):
        assert english not in text
    debt = text_of(await page_vi.get("/debt"))
    assert "Còn nợ 330.000 đ" in debt and "chưa đối soát lần nào" in debt
    assert "Các lần tải bảng đối soát" in debt


async def test_a_file_that_cannot_be_read_is_refused_on_the_debt_page(page: Page):
    order = await delivered(page.service, "GHNR1")
    body, path = await page.upload(csv_bytes([("GHNR1", COD)]), "bad.csv", status=422)
    assert path == "/debt/statements"
    text = text_of(body)
    assert "File bad.csv refused: No header row found" in text and "tracking_code" in text
    body, _ = await page.upload(b"", "", status=422)
    assert "Choose the carrier's COD statement file to upload." in text_of(body)
    assert (await page.service.detail(order.id)).status == "wait_for_cod"


async def test_an_upload_without_the_csrf_token_is_refused(page: Page):
    order = await delivered(page.service, "GHNC1")
    await page.upload(csv_bytes([HEADER, ("GHNC1", COD, 0, "")]), status=403, csrf=False)
    assert (await page.service.detail(order.id)).status == "wait_for_cod"


async def test_an_unknown_statement_is_not_found(page: Page):
    for path in ("/debt/statements/999", "/debt/statements/abc", "/debt/statements/99999999999"):
        assert "There is no such statement." in text_of(await page.get(path, status=404))


async def test_an_individual_shipper_shows_what_they_brought_back_while_owing(page: Page):
    first = await order_in(page.service, "wait_for_cod")
    second = await order_in(page.service, "wait_for_cod")
    await page.service.act(first.id, "collect_cod", actor=STAFF, version=first.version)
    debt = text_of(await page.get("/debt"))
    assert "Anh Tuấn 0987654321 Owes 330.000 đ" in debt
    assert "Reconciled 330.000 đ" in debt and "fees kept 0 đ" in debt
    await page.service.act(second.id, "collect_cod", actor=STAFF, version=second.version)
    debt = text_of(await page.get("/debt"))
    assert "Nobody owes any COD." in debt and "Anh Tuấn" not in debt  # nothing left to chase
