"""The managers' pages over real HTTP against the whole app, on each backend: staff, the
catalog (CSV upload and one item) and live sessions. Staff sign in for real: a web session is
started for them before the app starts, and each request carries its cookie and CSRF token."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from html import unescape
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from application import web_logins as auth
from application.live_sessions import list_sessions
from application.views import LiveCodeRow, LiveSessionRow
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from kernel.inbox.tables import InboxMessage
from kernel.outbox.jobs import OutboxJob
from orders.catalog import list_items
from orders.staff import add_staff, list_staff
from staff_web.security import COOKIE
from tests.conftest import make_settings
from tests.factories import seed_items

EVIL = "<script>alert(1)</script>"
MANAGER_ID = 1001
SALES_ID = 2002


@dataclass(frozen=True)
class Person:
    telegram_id: int
    cookie: str
    csrf: str


@dataclass
class Web:
    client: TestClient
    manager: Person
    sales: Person

    async def get(self, who: Person, path: str, status: int = 200) -> str:
        async with self.client.get(path, headers=_cookie(who)) as response:
            body = await response.text()
            assert response.status == status, body
            return body

    async def post(
        self,
        who: Person,
        path: str,
        data: dict[str, Any] | FormData | None = None,
        status: int = 200,
        *,
        csrf: str | None = "",
    ) -> tuple[str, str]:
        """The page the POST ends on (redirects followed) and its path; `csrf=None` sends
        no token, any other string that token ("" means the person's own)."""
        token = who.csrf if csrf == "" else csrf
        if isinstance(data, FormData):
            form = data
            if token is not None:
                form.add_field("csrf", token)
        else:
            form = {**({"csrf": token} if token is not None else {}), **(data or {})}
        async with self.client.post(path, data=form, headers=_cookie(who)) as response:
            body = await response.text()
            assert response.status == status, body
            return body, response.url.path_qs

    async def staff(self) -> dict[int, tuple[str, str]]:
        async with self.client.app[RUNTIME].orders.reading() as session:
            return {row.telegram_id: (row.name, row.role) for row in await list_staff(session)}

    async def items(self) -> dict[str, dict[str, Any]]:
        async with self.client.app[RUNTIME].orders.reading() as session:
            return {item.sku: asdict(item) for item in await list_items(session)}

    async def lives(self) -> dict[str, LiveSessionRow]:
        async with self.client.app[RUNTIME].orders.reading() as session:
            return {live.video_id: live for live in await list_sessions(session)}


def _cookie(who: Person) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={who.cookie}"}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def csv_upload(text: str | bytes, filename: str = "items.csv") -> FormData:
    form = FormData()
    form.add_field("do", "import")
    form.add_field("file", text, filename=filename, content_type="text/csv")
    return form


@pytest.fixture
async def web(aiohttp_client: Any, db_url: str) -> Web:
    engine = create_engine(db_url)
    try:
        await seed_items(session_factory(engine))
        people = []
        async with session_factory(engine).begin() as session:
            for telegram_id, name, role in (
                (MANAGER_ID, "Hà", "manager"),
                (SALES_ID, "Lan", "sales"),
            ):
                row = await add_staff(session, telegram_id, name, role)
                started = await auth.start_session(session, row, "link")
                people.append(Person(telegram_id, started.token, started.csrf_token))
    finally:
        await engine.dispose()
    app = create_app(
        make_settings(db_url, language="en"), run_worker=False, run_inbox=False, run_bot=False
    )
    return Web(await aiohttp_client(app), *people)


async def test_a_manager_adds_a_staff_member_and_changes_their_role(web: Web):
    page = await web.get(web.manager, "/manage/staff")
    assert 'href="/manage/staff"' in page  # the Manage link
    assert f'name="csrf" value="{web.manager.csrf}"' in page
    assert "Hà" in page and str(SALES_ID) in page

    page, where = await web.post(
        web.manager, "/manage/staff", {"telegram_id": "3003", "name": "Minh", "role": "sales"}
    )
    assert where == "/manage/staff?done=added"
    assert "Staff member added." in page and "Minh" in page and "3003" in page
    page, where = await web.post(
        web.manager, "/manage/staff", {"telegram_id": "3003", "name": "Minh Anh", "role": "cashier"}
    )
    assert where == "/manage/staff?done=updated"
    assert (await web.staff())[3003] == ("Minh Anh", "cashier")
    assert "cashier" in text_of(page)


async def test_mistakes_are_shown_by_their_fields_and_what_was_typed_is_kept(web: Web):
    page, _ = await web.post(
        web.manager,
        "/manage/staff",
        {"telegram_id": "12ab", "name": EVIL, "role": "boss"},
        status=422,
    )
    assert "Not saved: fix the fields marked below." in page
    assert '<span class="field-error" id="error-telegram_id">' in page
    assert "&#39;12ab&#39; is not a Telegram id" in page
    assert "Choose manager, cashier or sales." in page
    assert 'value="12ab"' in page
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page, _ = await web.post(
        web.manager, "/manage/staff", {"telegram_id": "55", "name": " ", "role": "sales"}, 422
    )
    assert "A name is required." in page and 'value="55"' in page
    assert set(await web.staff()) == {MANAGER_ID, SALES_ID}

    await web.post(
        web.manager, "/manage/staff", {"telegram_id": "77", "name": EVIL, "role": "sales"}
    )
    page = await web.get(web.manager, "/manage/staff")
    assert EVIL not in page and "&lt;script&gt;" in page


async def test_the_last_manager_is_never_removed_nor_demoted(web: Web):
    page, _ = await web.post(web.manager, f"/manage/staff/{MANAGER_ID}/remove", status=409)
    assert "Hà is the only manager: add another manager first." in page
    page, _ = await web.post(
        web.manager,
        "/manage/staff",
        {"telegram_id": str(MANAGER_ID), "name": "Hà", "role": "sales"},
        status=409,
    )
    assert '<span class="field-error" id="error-role">Hà is the only manager' in page
    assert (await web.staff())[MANAGER_ID] == ("Hà", "manager")

    # With a second manager, the first may step down, and loses the pages at once.
    await web.post(
        web.manager,
        "/manage/staff",
        {"telegram_id": str(SALES_ID), "name": "Lan", "role": "manager"},
    )
    page, where = await web.post(
        web.manager,
        "/manage/staff",
        {"telegram_id": str(MANAGER_ID), "name": "Hà", "role": "cashier"},
    )
    assert where == "/" and 'href="/manage/staff"' not in page
    await web.get(web.manager, "/manage/staff", status=403)
    page, where = await web.post(web.sales, f"/manage/staff/{MANAGER_ID}/remove")
    assert where == "/manage/staff?done=removed" and "Staff member removed." in page
    assert set(await web.staff()) == {SALES_ID}
    page, _ = await web.post(web.sales, "/manage/staff/999/remove", status=404)
    assert "No staff member has Telegram id 999." in page


async def test_sales_gets_403_on_every_manage_route_and_sees_no_manage_link(web: Web):
    for path in ("/manage/staff", "/manage/catalog"):
        page = await web.get(web.sales, path, status=403)
        assert "manager" in page.lower()
    posts: list[tuple[str, dict[str, Any] | FormData]] = [
        ("/manage/staff", {"telegram_id": "9", "name": "X", "role": "manager"}),
        (f"/manage/staff/{MANAGER_ID}/remove", {}),
        ("/manage/catalog", csv_upload("sku,name,price,stock,weight_g,code\nNEW-1,New,1,1,1,\n")),
        ("/manage/catalog", {"do": "item", "sku": "NEW-2", "name": "New", "price": "1"}),
        ("/manage/live/open", {"video_id": "v-1", "title": "Live"}),
        ("/manage/live/v-1/close", {}),
    ]
    for path, data in posts:
        await web.post(web.sales, path, data, status=403)
    assert set(await web.staff()) == {MANAGER_ID, SALES_ID}
    assert not {"NEW-1", "NEW-2"} & set(await web.items())
    assert await web.lives() == {}
    for path in ("/", "/live", "/debt"):
        page = await web.get(web.sales, path)
        assert "/manage/" not in page and "Stop ordering" not in page
    assert 'href="/manage/staff"' in await web.get(web.manager, "/")


async def test_a_csv_upload_imports_items(web: Web):
    csv = (
        "sku,name,price,stock,weight_g,code\n"
        "AO-001,Áo thun trắng,160000,90,200,A1\n"
        "DAM-004,Đầm hoa,450000,7,350,C2\n"
    )
    page, _ = await web.post(web.manager, "/manage/catalog", csv_upload(csv))
    assert "Imported: 1 new items, 1 updated." in page
    items = await web.items()
    assert items["DAM-004"] == {
        "sku": "DAM-004",
        "name": "Đầm hoa",
        "price": 450_000,
        "stock": 7,
        "weight_g": 350,
        "code": "C2",
    }
    assert items["AO-001"]["price"] == 160_000 and items["AO-001"]["stock"] == 90
    page = await web.get(web.manager, "/manage/catalog")
    assert "DAM-004" in page and "Đầm hoa" in page and "C2" in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize(
    ("csv", "reason"),
    [
        (
            "sku,name,price,stock,weight_g,code\nDAM-004,Đầm,450000,7,350,C2\nX-1,X,12abc,1,1,\n",
            "Line 3: price must be a whole number ≥ 0, not &#39;12abc&#39;.",
        ),
        ("sku,name\nDAM-004,Đầm\n", "The CSV lacks the column(s) price, stock, weight_g."),
        (
            "sku,name,price,stock,weight_g,code\nDAM-004,Đầm,1,1,1,\nDAM-004,Đầm 2,1,1,1,\n",
            "SKU DAM-004 is given twice.",
        ),
        (b"sku,name,price,stock,weight_g,code\nDAM-004,\xff\xfe,1,1,1,\n", "not UTF-8 text"),
    ],
)
async def test_a_bad_csv_shows_why_and_imports_nothing(web: Web, csv: str | bytes, reason: str):
    before = await web.items()
    page, _ = await web.post(web.manager, "/manage/catalog", csv_upload(csv), status=422)
    assert "Nothing was imported:" in page and reason in page
    assert await web.items() == before


async def test_one_item_is_added_or_updated_from_the_small_form(web: Web):
    page, _ = await web.post(
        web.manager,
        "/manage/catalog",
        {"do": "item", "sku": "KINH-5", "name": "Kính râm", "price": "120.000", "code": "k5"},
    )
    assert "Item KINH-5 saved." in page
    assert (await web.items())["KINH-5"]["price"] == 120_000
    assert (await web.items())["KINH-5"]["code"] == "K5"
    page, _ = await web.post(
        web.manager,
        "/manage/catalog",
        {"do": "item", "sku": "KINH-5", "name": "", "price": "abc", "stock": "3"},
        status=422,
    )
    assert "An item name is required." in page and "&#39;abc&#39; is not a whole number" in page
    assert 'value="KINH-5"' in page and 'value="3"' in page
    assert (await web.items())["KINH-5"]["name"] == "Kính râm"


async def test_a_manager_opens_and_closes_a_live_session(web: Web):
    page = await web.get(web.manager, "/live")
    assert 'action="/manage/live/open"' in page
    page, where = await web.post(
        web.manager,
        "/manage/live/open",
        {
            "video_id": "776655",
            "title": "Live tối nay",
            "codes": "a1=AO-001,B3=QUAN-002:20",
            "default_code": "A1",
        },
    )
    assert where == "/live?done=opened" and "The live session is open for orders." in page
    live = (await web.lives())["776655"]
    assert live.ordering_open and live.title == "Live tối nay"
    assert live.default_code == "A1"
    assert LiveCodeRow(code="B3", sku="QUAN-002", cap=20) in live.codes
    assert 'action="/manage/live/776655/close"' in page

    page, where = await web.post(web.manager, "/manage/live/776655/close")
    assert where == "/live?done=closed" and "Ordering is closed" in page
    assert not (await web.lives())["776655"].ordering_open
    assert 'action="/manage/live/776655/close"' not in page
    await web.post(web.manager, "/manage/live/nope/close", status=404)


async def test_a_bad_live_form_keeps_what_was_typed(web: Web):
    page, _ = await web.post(
        web.manager, "/manage/live/open", {"video_id": "v-2", "codes": "A1-AO-001"}, status=422
    )
    assert "is not CODE=SKU" in page and 'value="A1-AO-001"' in page and 'value="v-2"' in page
    page, _ = await web.post(
        web.manager, "/manage/live/open", {"video_id": "v-2", "codes": "Z9=NOPE"}, status=422
    )
    # beside the field that names the SKU, and "fix the fields" at the top
    assert '<span class="field-error" id="error-codes">No item in the catalog has SKU NOPE.' in page
    assert "Not saved: fix the fields marked below." in page and 'value="Z9=NOPE"' in page
    page, _ = await web.post(web.manager, "/manage/live/open", {"video_id": ""}, status=422)
    assert "The video id is 1 to 64 characters." in page
    assert await web.lives() == {}


async def test_a_post_without_the_csrf_token_is_refused(web: Web):
    new = {"telegram_id": "4004", "name": "Tú", "role": "manager"}
    await web.post(web.manager, "/manage/staff", new, status=403, csrf=None)
    await web.post(web.manager, "/manage/staff", new, status=403, csrf="forged")
    await web.post(web.manager, "/manage/staff", new, status=403, csrf=web.sales.csrf)
    await web.post(web.manager, f"/manage/staff/{SALES_ID}/remove", status=403, csrf=None)
    upload = csv_upload("sku,name,price,stock,weight_g,code\nNEW-1,New,1,1,1,\n")
    await web.post(web.manager, "/manage/catalog", upload, status=403, csrf=None)
    await web.post(web.manager, "/manage/live/open", {"video_id": "v-3"}, status=403, csrf=None)
    assert set(await web.staff()) == {MANAGER_ID, SALES_ID}
    assert "NEW-1" not in await web.items()
    assert await web.lives() == {}


async def test_what_the_service_parked_is_shown_to_managers_and_can_be_retried(web: Web):
    """A parked webhook body never holds up the rows behind it, so this screen is where staff
    learn that a carrier said something the service could not read."""
    async with web.client.app[RUNTIME].orders.transaction() as session:
        body = InboxMessage(
            source="ghn",
            body=b'{"OrderCode": 5}',
            status="failed",
            attempts=1,
            last_error=f"unprocessable: OrderCode is not text {EVIL}",
        )
        job = OutboxJob(
            kind="graph.hide_comment",
            idempotency_key="parked-test",
            status="dead",
            attempts=10,
            last_error="refused: (#200) permission",
        )
        session.add_all([body, job])
    listing = await web.get(web.manager, "/")
    assert "2 item(s) the service could not process wait for a person." in text_of(listing)
    assert "could not process" not in text_of(await web.get(web.sales, "/"))
    await web.get(web.sales, "/manage/parked", status=403)

    html = await web.get(web.manager, "/manage/parked")
    assert EVIL not in html  # what a carrier sent is shown as text, never as markup
    page = text_of(html)
    assert "GHN" in page and f"OrderCode is not text {EVIL}" in page
    assert "graph.hide_comment" in page and "(#200) permission" in page

    page, where = await web.post(web.manager, f"/manage/parked/inbox/{body.id}/retry")
    assert where == "/manage/parked?done=inbox"
    assert "The webhook is queued to be processed again." in page
    await web.post(web.manager, f"/manage/parked/outbox/{job.id}/retry")
    async with web.client.app[RUNTIME].orders.reading() as session:
        assert (await session.get(InboxMessage, body.id)).status == "pending"
        assert (await session.get(OutboxJob, job.id)).status == "pending"
    page, _ = await web.post(web.manager, f"/manage/parked/inbox/{body.id}/retry", status=409)
    assert "no longer waits" in page
    assert "could not process" not in text_of(await web.get(web.manager, "/"))
