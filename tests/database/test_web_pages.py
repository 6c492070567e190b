"""The staff web pages over real HTTP against the whole app on SQLite: orders made through
`OrderService` and comments through the ingest use case, as the service makes them. Staff are
signed in by a test-only middleware that sets what the sign-in middleware will set."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from application import web_logins as auth
from application.live_comments import apply_comments
from application.live_sessions import open_session, parse_codes
from application.services import OrderService
from carriers.base import CarrierError, Quote
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from livestream.config import IngestConfig
from livestream.events import CommentEvent
from orders.actors import Actor, Source
from orders.addresses import provinces, wards
from orders.changes import LineInput, OrderChanges
from orders.drafts import Buyer, NewOrder
from orders.queries import OrderFilter
from orders.staff import add_staff
from orders.views import OrderRow, OrderView
from staff_web.context import StaffView
from staff_web.security import COOKIE
from staff_web.strings import PAGES
from tests.conftest import make_settings
from tests.factories import BUYER, draft, order_in, seed_items

PAGE_ID = "999000111"
VIDEO = "776655443322"
T0 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
EVIL = "<script>alert(1)</script>"


@dataclass(frozen=True)
class SignedIn:
    staff: StaffView
    cookie: str
    csrf: str


@pytest.fixture
async def signed_in(sqlite_url: str) -> SignedIn:
    """The catalog, a staff member and a web session of theirs, written before the app
    starts; the pages then see this person signed in through the real middleware."""
    engine = create_engine(sqlite_url)
    try:
        await seed_items(session_factory(engine))
        async with session_factory(engine).begin() as session:
            row = await add_staff(session, 4242, "Lan", "sales")
            started = await auth.start_session(session, row, "link")
            view = StaffView(row.id, row.telegram_id, row.name, row.role)
    finally:
        await engine.dispose()
    return SignedIn(view, started.token, started.csrf_token)


@pytest.fixture
def staff(signed_in: SignedIn) -> StaffView:
    return signed_in.staff


@pytest.fixture
async def client(aiohttp_client: Any, sqlite_url: str, signed_in: SignedIn) -> TestClient:
    app = create_app(
        make_settings(sqlite_url, language="en"), run_worker=False, run_inbox=False, run_bot=False
    )
    client = await aiohttp_client(app)
    client.session.cookie_jar.update_cookies({COOKIE: signed_in.cookie})
    client.csrf = signed_in.csrf  # type: ignore[attr-defined]
    return client


@pytest.fixture
def service(client: TestClient) -> OrderService:
    return client.app[RUNTIME].orders


@pytest.fixture
async def client_vi(aiohttp_client: Any, sqlite_url: str, signed_in: SignedIn) -> TestClient:
    """The same pages for a shop that kept the default language, Vietnamese."""
    app = create_app(make_settings(sqlite_url), run_worker=False, run_inbox=False, run_bot=False)
    client = await aiohttp_client(app)
    client.session.cookie_jar.update_cookies({COOKIE: signed_in.cookie})
    client.csrf = signed_in.csrf  # type: ignore[attr-defined]
    return client


STAFF_ACTOR = Actor(Source.STAFF, "Lan")


async def get(client: TestClient, path: str, status: int = 200) -> str:
    async with client.get(path) as response:
        body = await response.text()
        assert response.status == status, body
        return body


async def post(
    client: TestClient, path: str, data: dict[str, Any], status: int = 200
) -> tuple[str, str]:
    """The page the POST ends on (redirects followed) and its URL path."""
    async with client.post(path, data={"csrf": client.csrf, **data}) as response:
        body = await response.text()
        assert response.status == status, body
        return body, response.url.path_qs


def text_of(html: str) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def row_codes(html: str) -> list[str]:
    return re.findall(r'<span class="code">([^<]+)</span>', html)


async def order_with(service: OrderService, **buyer: str) -> OrderView:
    values = {**BUYER.__dict__, **buyer}
    return await draft(service, buyer=Buyer(**values))


async def live_draft(service: OrderService, *lines: LineInput, **more: Any) -> OrderView:
    """A draft as a comment makes one: a code nobody knows stays on it, marked."""
    new = NewOrder(buyer=BUYER, lines=list(lines), source="livestream", **more)
    return await service.create_draft(new, STAFF_ACTOR)


def edit_data(order: OrderRow, **overrides: Any) -> dict[str, Any]:
    """The edit form as the page fills it for `order`, with some fields changed."""
    customer = order.customer
    data: dict[str, Any] = {
        "version": order.version,
        "lines": len(order.lines),
        "name": customer.name,
        "phone": customer.phone,
        "street": customer.address,
        "note": order.note,
        "shipping_fee": order.shipping_fee,
        "cod": order.cod_amount,
        "cod_follows": "1",
        "province": "",
        "ward": "",
    }
    for i, line in enumerate(order.lines):
        data |= {
            f"line-{i}-id": line.id,
            f"line-{i}-code": line.code,
            f"line-{i}-sku": line.sku or "",
            f"line-{i}-qty": line.quantity,
            f"line-{i}-variant": line.variant,
        }
    data.update(overrides)
    return data


# The Orders screen


async def test_tabs_count_each_status_and_a_tab_lists_only_its_orders(client, service):
    first = await draft(service)
    second = await draft(service)
    waiting = await order_in(service, "waiting_for_shipping")
    await order_in(service, "cancelled")

    page = await get(client, "/")
    assert re.search(r'data-tab="all">4<', page)
    assert re.search(r'data-tab="draft">2<', page)
    assert re.search(r'data-tab="waiting_for_shipping">1<', page)
    assert re.search(r'data-tab="cancelled">1<', page)
    assert re.search(r'data-tab="shipping">0<', page)
    assert f'href="/orders/{first.id}"' in page

    drafts = await get(client, "/?status=draft")
    assert row_codes(drafts) == [second.code, first.code]  # newest first
    assert f'href="/orders/{waiting.id}"' not in drafts
    assert re.search(r'data-tab="all">4<', drafts)  # the counts are for every tab


async def test_search_by_code_phone_or_name_and_filter_by_staff(client, service, staff):
    hoa = await order_with(service, name="Nguyễn Thị Hoa", phone="0912345678")
    lan = await order_with(service, name="Trần Ngọc Lan", phone="0987000111")
    mine = await service.create_draft(
        NewOrder(buyer=BUYER, lines=[LineInput(quantity=1, code="A1")], staff_id=staff.id),
        STAFF_ACTOR,
    )

    assert row_codes(await get(client, f"/?q={lan.code.lower()}")) == [lan.code]
    assert row_codes(await get(client, "/?q=0987000")) == [lan.code]
    assert row_codes(await get(client, "/?q=Ngọc")) == [lan.code]
    assert hoa.code in row_codes(await get(client, "/?q=hoa"))
    assert row_codes(await get(client, f"/?staff={staff.telegram_id}")) == [mine.code]
    empty = await get(client, "/?q=nobody-at-all")
    assert "No orders" in empty


async def test_pages_go_next_and_back_newest_first(client, service):
    made = [await draft(service) for _ in range(23)]
    newest_first = [order.code for order in reversed(made)]

    first = await get(client, "/")
    assert row_codes(first) == newest_first[:20]
    assert 'rel="prev"' not in first
    [next_link] = re.findall(r'rel="next" href="([^"]+)"', first)
    second = await get(client, unescape(next_link))
    assert row_codes(second) == newest_first[20:]
    assert 'rel="next"' not in second
    [previous] = re.findall(r'rel="prev" href="([^"]+)"', second)
    assert row_codes(await get(client, unescape(previous))) == newest_first[:20]


# The Order screen


async def test_the_order_page_shows_what_the_card_shows_and_its_history(client, service, staff):
    returned = await order_in(service, "returned")  # the same buyer failed a delivery before
    order = await live_draft(
        service,
        LineInput(quantity=2, code="A1"),
        LineInput(quantity=1, code="Z9"),
        LineInput(quantity=1, code="B3", waitlisted=True),
        shipping_fee=30_000,
        note="Giao giờ hành chính",
        staff_id=staff.id,
    )
    page = text_of(await get(client, f"/orders/{order.id}"))

    assert f"Order {order.code} Draft" in page
    for shown in ("Nguyễn Thị Hoa", "0912345678", "12 Lý Thường Kiệt, Phường Cửa Nam"):
        assert shown in page
    assert "Áo thun trắng × 2 · 150.000 đ = 300.000 đ" in page
    assert "Z9" in page and "Code not in this live: pick the item" in page
    assert "Waitlisted (out of stock)" in page
    assert "Total 330.000 đ" in page and "COD 330.000 đ" in page
    assert "Staff Lan" in page and "Giao giờ hành chính" in page
    assert "Warning: this buyer has 2 failed or returned deliveries" in page
    assert "History" in page

    shipped = text_of(await get(client, f"/orders/{returned.id}"))
    assert "Shipper Individual shipper · Anh Tuấn · 0987654321" in shipped
    assert "Lan (Staff) Return: Failed to ship → Returned" in shipped


async def test_an_action_button_moves_the_order_and_a_stale_one_says_so(client, service):
    order = await order_in(service, "waiting_for_shipping")
    page = await get(client, f"/orders/{order.id}")
    assert f'action="/orders/{order.id}/actions/send_to_shop"' in page
    assert f'name="version" value="{order.version}"' in page
    assert f'name="csrf" value="{client.csrf}"' in page

    body, url = await post(
        client,
        f"/orders/{order.id}/actions/send_to_shop",
        {"version": order.version},
    )
    assert url == f"/orders/{order.id}?done=send_to_shop"
    assert "Sent to shop" in text_of(body) or "sent_to_shop" in body
    assert (await service.detail(order.id)).status == "sent_to_shop"

    other = await order_in(service, "waiting_for_shipping")
    await service.act(
        other.id, "cancel", actor=STAFF_ACTOR, version=other.version
    )  # a tap in Telegram meanwhile
    body, _ = await post(
        client, f"/orders/{other.id}/actions/send_to_shop", {"version": other.version}, 409
    )
    assert "The order changed elsewhere" in text_of(body)
    assert (await service.detail(other.id)).status == "cancelled"


async def test_a_refused_action_shows_the_domains_message(client, service):
    order = await live_draft(service, LineInput(quantity=1, code="Z9"))
    body, _ = await post(
        client, f"/orders/{order.id}/actions/create_order", {"version": order.version}, 409
    )
    assert f"Order {order.code} cannot go on yet: it needs an item for code Z9" in text_of(body)
    assert (await service.detail(order.id)).status == "draft"


# The Edit order screen


async def test_a_bad_phone_is_shown_by_its_field_and_nothing_typed_is_lost(client, service):
    order = await draft(service)
    data = edit_data(
        order,
        name="Lê Văn Minh",
        phone="12345",
        street="99 Hàng Bông",
        note="Gọi trước khi giao",
        shipping_fee="25k",
        **{"line-0-qty": "3"},
    )
    body, _ = await post(client, f"/orders/{order.id}/edit", data, 422)

    assert re.search(
        r'name="phone" value="12345".*?</label>\s*<span class="field-error" id="error-phone">'
        r"&#39;12345&#39; is not a Vietnamese phone number",
        body,
        re.S,
    )
    for kept in (
        'name="name" value="Lê Văn Minh"',
        'name="street" value="99 Hàng Bông"',
        'name="shipping_fee" value="25k"',
        'name="line-0-qty" value="3"',
        ">Gọi trước khi giao</textarea>",
    ):
        assert kept in body
    assert (await service.detail(order.id)).version == order.version  # nothing saved


async def test_save_draft_applies_the_edit_and_a_stale_form_keeps_what_was_typed(client, service):
    order = await draft(service)
    data = edit_data(order, name="Lê Văn Minh", shipping_fee="25.000", do="save")
    _, url = await post(client, f"/orders/{order.id}/edit", data)
    assert url == f"/orders/{order.id}?done=save_draft"
    saved = await service.detail(order.id)
    assert (saved.customer.name, saved.shipping_fee) == ("Lê Văn Minh", 25_000)
    assert saved.events[-1].action == "save_draft"
    assert set(saved.events[-1].details["fields"]) == {
        "buyer_name",
        "shipping_fee",
        "cod_amount",
    }

    stale = edit_data(order, name="Phạm Thu", do="save")  # the version before the save
    body, _ = await post(client, f"/orders/{order.id}/edit", stale, 409)
    assert "The order was changed elsewhere" in text_of(body)
    assert 'name="name" value="Phạm Thu"' in body
    assert f'name="version" value="{saved.version}"' in body
    assert (await service.detail(order.id)).customer.name == "Lê Văn Minh"


async def test_picking_the_item_for_an_unknown_code_then_creating_the_order(client, service):
    order = await live_draft(service, LineInput(quantity=2, code="A1"), LineInput(1, code="Z9"))
    page = await get(client, f"/orders/{order.id}/edit")
    assert '<select name="line-1-sku">' in page
    assert re.search(r'<option value="QUAN-002">B3 · Quần jean xanh · 320.000 đ</option>', page)

    data = edit_data(order, do="create_order", **{"line-1-sku": "QUAN-002"})
    _, url = await post(client, f"/orders/{order.id}/edit", data)
    assert url == f"/orders/{order.id}?done=create_order"
    done = await service.detail(order.id)
    assert done.status == "waiting_for_shipping"
    assert [(line.code, line.sku) for line in done.lines] == [
        ("A1", "AO-001"),
        ("B3", "QUAN-002"),
    ]
    assert [e.action for e in done.events[-2:]] == ["save_draft", "create_order"]


async def test_lines_are_added_removed_and_requantified(client, service):
    order = await draft(service, lines=[LineInput(quantity=2, code="A1"), LineInput(1, code="B3")])
    data = edit_data(
        order,
        **{"line-0-qty": "5", "line-1-remove": "1", "new-sku": "MU-003", "new-qty": "1"},
        do="save",
    )
    await post(client, f"/orders/{order.id}/edit", data)
    done = await service.detail(order.id)
    assert [(line.sku, line.quantity) for line in done.lines] == [
        ("AO-001", 5),
        ("MU-003", 1),
    ]


async def test_address_pickers_list_wards_with_and_without_javascript(client, service):
    order = await draft(service, buyer=Buyer(name="Hoa", phone="0912345678", street="1 Huế"))
    hanoi = next(code for code, name in provinces() if name == "Thành phố Hà Nội")
    cua_nam = next(code for code, name in wards(hanoi) if name == "Phường Cửa Nam")

    async with client.get(f"/places/wards?province={hanoi}") as response:
        assert response.status == 200
        listed = (await response.json())["wards"]
    assert {"code": cua_nam, "name": "Phường Cửa Nam"} in listed
    async with client.get("/places/wards?province=99999") as response:
        assert response.status == 404

    # Without JavaScript: the "choose ward" button lists the province's wards, saving nothing.
    data = edit_data(order, province=str(hanoi), name="Hoa typed", do="wards")
    body, _ = await post(client, f"/orders/{order.id}/edit", data)
    assert f'<option value="{cua_nam}">Phường Cửa Nam</option>' in body
    assert 'name="name" value="Hoa typed"' in body
    assert (await service.detail(order.id)).version == order.version

    data = edit_data(order, province=str(hanoi), ward=str(cua_nam), do="save")
    await post(client, f"/orders/{order.id}/edit", data)
    customer = (await service.detail(order.id)).customer
    assert (customer.province, customer.ward) == ("Thành phố Hà Nội", "Phường Cửa Nam")
    page = await get(client, f"/orders/{order.id}/edit")
    assert f'<option value="{cua_nam}" selected>Phường Cửa Nam</option>' in page

    bad = edit_data(order, province=str(hanoi), ward="1", do="save")
    body, _ = await post(client, f"/orders/{order.id}/edit", bad, 422)
    assert "Choose a ward of the chosen province." in text_of(body)


async def test_ship_with_an_individual_shipper_from_the_edit_page(client, service):
    order = await order_in(service, "waiting_for_shipping")
    page = await get(client, f"/orders/{order.id}/edit")
    assert 'id="ship"' in page and 'value="individual"' in page

    missing = edit_data(order, do="ship", carrier="individual", shipper_name="Anh Tuấn")
    body, _ = await post(client, f"/orders/{order.id}/edit", missing, 422)
    assert re.search(r'id="error-shipper_phone">&#39;&#39; is not a Vietnamese phone', body)
    assert 'name="shipper_name" value="Anh Tuấn"' in body

    data = edit_data(
        order, do="ship", carrier="individual", shipper_name="Anh Tuấn", shipper_phone="0987654321"
    )
    _, url = await post(client, f"/orders/{order.id}/edit", data)
    assert url == f"/orders/{order.id}?done=ship"
    shipped = await service.detail(order.id)
    assert shipped.status == "shipping"
    assert (shipped.shipper.kind, shipped.shipper.phone) == ("individual", "0987654321")


class Quoting:
    """A configured carrier as the quotes see it: a price, or a refusal in its own words."""

    def __init__(self, name: str, fee: int | None) -> None:
        self.name = name
        self.fee = fee

    async def quote(self, order: Any) -> Quote:
        if self.fee is None:
            raise CarrierError(self.name, "Khu vực chưa hỗ trợ")
        return Quote(self.name, self.fee, "chuẩn")


async def test_carrier_quotes_side_by_side_and_shipping_with_one(client, service):
    shipping = client.app[RUNTIME].carriers.shipping
    shipping.update(ghtk=Quoting("ghtk", 41_000), ghn=Quoting("ghn", 32_000))
    shipping["ahamove"] = Quoting("ahamove", None)
    order = await order_in(service, "waiting_for_shipping")

    page = text_of(await get(client, f"/orders/{order.id}/edit"))
    assert "GHN 32.000 đ · chuẩn GHTK 41.000 đ · chuẩn Ahamove Khu vực chưa hỗ trợ" in page

    data = edit_data(order, do="ship", carrier="ghn")
    _, url = await post(client, f"/orders/{order.id}/edit", data)
    assert url == f"/orders/{order.id}?done=ship"
    asked = await service.detail(order.id)
    assert (asked.shipper.kind, asked.shipper.state) == ("ghn", "requesting")
    assert "Waiting for the carrier to accept" in text_of(await get(client, url))

    other = await order_in(service, "waiting_for_shipping")
    unknown = edit_data(other, do="ship", carrier="viettelpost")  # not configured here
    body, _ = await post(client, f"/orders/{other.id}/edit", unknown, 422)
    assert 'id="error-carrier"' in body


async def test_cancel_from_the_edit_page(client, service):
    order = await draft(service)
    _, url = await post(
        client, f"/orders/{order.id}/edit", edit_data(order, do="cancel", phone="bad")
    )
    assert url == f"/orders/{order.id}?done=cancel"
    assert (await service.detail(order.id)).status == "cancelled"


# Livestream comments


def said(
    n: int, message: str, *, buyer: str = "fb-1", name: str = "Nguyễn Thị Hoa"
) -> CommentEvent:
    at = T0 + timedelta(minutes=n)
    return CommentEvent("add", f"{VIDEO}_{n}", VIDEO, buyer, name, message, at, f"p_{VIDEO}")


async def live_with_comments(client: TestClient) -> None:
    sessions = client.app[RUNTIME].sessions
    async with sessions.begin() as session:
        await open_session(session, VIDEO, title="Live tối thứ Bảy", codes=parse_codes("A1=AO-001"))
    async with sessions.begin() as session:
        await apply_comments(
            session,
            [
                said(2, "A1 2 0912345678"),
                said(1, "Còn size M không ạ?", buyer="fb-2", name="Lê Mai"),
                said(3, "Z9 1", buyer="fb-3", name=EVIL),
                said(4, "đẹp quá", buyer="fb-4", name="Khách"),
            ],
            IngestConfig(page_id=PAGE_ID),
        )


async def test_the_comments_page_lists_every_comment_in_time_order_with_its_order(
    client, service, staff
):
    await live_with_comments(client)
    sessions = await get(client, "/live")
    assert f'href="/live/{VIDEO}/comments"' in sessions and "Live tối thứ Bảy" in sessions

    page = await get(client, f"/live/{VIDEO}/comments?order=oldest")
    messages = re.findall(r'<span class="message">([^<]*)</span>', page)
    assert messages == ["Còn size M không ạ?", "A1 2 0912345678", "Z9 1", "đẹp quá"]
    during = await get(client, f"/live/{VIDEO}/comments")  # the live is on: newest first
    assert re.findall(r'<span class="message">([^<]*)</span>', during) == messages[::-1]
    orders = (await service.list_orders(OrderFilter(video_id=VIDEO))).orders
    hoa = next(o for o in orders if o.customer.facebook_id == "fb-1")
    assert f'href="/orders/{hoa.id}">🧾 {hoa.code}</a>' in page

    card = text_of(await get(client, f"/orders/{hoa.id}"))
    assert "Live Live tối thứ Bảy · First comment: 14/03/2026 19:02" in card

    made = await get(client, f"/live/{VIDEO}/comments?kind=order&order=oldest")
    assert re.findall(r'<span class="message">([^<]*)</span>', made) == ["A1 2 0912345678", "Z9 1"]
    asked = await get(client, f"/live/{VIDEO}/comments?kind=question&order=oldest")
    assert re.findall(r'<span class="message">([^<]*)</span>', asked) == ["Còn size M không ạ?"]
    unknown = await get(client, f"/live/{VIDEO}/comments?kind=unknown&order=oldest")
    assert re.findall(r'<span class="message">([^<]*)</span>', unknown) == ["Z9 1"]

    await service.act(
        hoa.id,
        "edit",
        actor=STAFF_ACTOR,
        version=hoa.version,
        changes=OrderChanges(staff_id=staff.id),
    )
    theirs = await get(client, f"/live/{VIDEO}/comments?staff={staff.telegram_id}")
    assert re.findall(r'<span class="message">([^<]*)</span>', theirs) == ["A1 2 0912345678"]
    await get(client, "/live/no-such-video/comments", 404)


async def test_what_buyers_typed_is_shown_as_text_everywhere(client, service):
    order = await order_with(service, name=EVIL, street=EVIL)
    await live_with_comments(client)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for path in (
        "/",
        f"/orders/{order.id}",
        f"/orders/{order.id}/edit",
        f"/live/{VIDEO}/comments",
    ):
        page = await get(client, path)
        assert EVIL not in page, path
        assert escaped in page, path


# COD debt


async def test_the_debt_page_shows_who_owes_and_collects_cod(client, service):
    owing = await order_in(service, "wait_for_cod")
    page = text_of(await get(client, "/debt"))
    assert "Anh Tuấn 0987654321 Owes 330.000 đ" in page
    assert owing.code in page

    _, url = await post(
        client,
        f"/orders/{owing.id}/actions/collect_cod",
        {"version": owing.version, "next": "/debt"},
    )
    assert url == "/debt?done=collect_cod"
    assert (await service.detail(owing.id)).status == "complete"
    assert "Nobody owes any COD." in text_of(await get(client, "/debt"))


async def test_a_forms_next_never_leaves_the_site(client, service):
    owing = await order_in(service, "wait_for_cod")
    _, url = await post(
        client,
        f"/orders/{owing.id}/actions/collect_cod",
        {"version": owing.version, "next": "//evil.example/"},
    )
    assert url == f"/orders/{owing.id}?done=collect_cod"


# Live refresh


async def stamp(client: TestClient, path: str) -> dict[str, Any]:
    async with client.get(path) as response:
        assert response.status == 200
        return await response.json()


async def test_the_stamps_change_when_an_order_changes_elsewhere(client, service):
    order = await draft(service)
    other = await draft(service)
    everything = await stamp(client, "/stamp")
    mine = await stamp(client, f"/orders/{order.id}/stamp")
    assert mine["version"] == order.version
    page = await get(client, f"/orders/{order.id}")
    assert f'data-stamp="{mine["stamp"]}"' in page
    assert f'data-stamp-url="/orders/{order.id}/stamp"' in page

    await service.act(other.id, "cancel", actor=STAFF_ACTOR, version=other.version)
    assert (await stamp(client, "/stamp"))["stamp"] != everything["stamp"]
    assert await stamp(client, f"/orders/{order.id}/stamp") == mine  # not this order

    await service.act(order.id, "create_order", actor=STAFF_ACTOR, version=order.version)
    changed = await stamp(client, f"/orders/{order.id}/stamp")
    assert changed["version"] == order.version + 1 and changed["stamp"] != mine["stamp"]
    async with client.get("/orders/999999/stamp") as response:
        assert response.status == 404


async def test_new_comments_change_the_stamp(client):
    before = await stamp(client, "/stamp")
    await live_with_comments(client)
    assert (await stamp(client, "/stamp"))["stamp"] != before["stamp"]


# Forms, prints, strings


async def test_the_pages_speak_vietnamese_by_default(aiohttp_client, sqlite_url, signed_in):
    client = await aiohttp_client(
        create_app(make_settings(sqlite_url), run_worker=False, run_inbox=False, run_bot=False)
    )
    client.session.cookie_jar.update_cookies({COOKIE: signed_in.cookie})
    service = client.app[RUNTIME].orders
    order = await order_in(service, "wait_for_cod")
    await live_with_comments(client)
    assert "Chờ thu hộ (COD)" in text_of(await get(client, "/"))
    assert "Thu COD" in text_of(await get(client, f"/orders/{order.id}"))
    assert "Sửa đơn" in text_of(await get(client, f"/orders/{order.id}/edit"))
    assert "Công nợ thu hộ (COD)" in text_of(await get(client, "/debt"))
    assert "Phiên live" in text_of(await get(client, "/live"))
    assert "Có đơn" in text_of(await get(client, f"/live/{VIDEO}/comments"))


async def test_every_post_form_carries_the_csrf_field(client, service):
    order = await order_in(service, "wait_for_cod")
    waiting = await order_in(service, "waiting_for_shipping")
    for path in (f"/orders/{order.id}", f"/orders/{waiting.id}/edit", "/debt"):
        page = await get(client, path)
        forms = re.findall(r'<form method="post".*?</form>', page, re.S)
        assert forms, path
        for form in forms:
            hidden = f'<input type="hidden" name="csrf" value="{client.csrf}">'
            assert hidden in form, (path, form[:120])


async def test_unknown_orders_are_a_page_not_json(client):
    body = await get(client, "/orders/123456", 404)
    assert "There is no such order." in body
    await get(client, "/orders/abc/edit", 404)


async def test_the_print_page_and_the_bill_image(client, service):
    order = await order_in(service, "waiting_for_shipping")
    page = await get(client, f"/orders/{order.id}/print/bill")
    assert f'src="/orders/{order.id}/bill.png"' in page and "data-print" in page
    async with client.get(f"/orders/{order.id}/bill.png") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/png"
        assert (await response.read()).startswith(b"\x89PNG")


async def test_pages_ship_their_own_assets_only(client):
    page = await get(client, "/")
    assert not re.search(r'(src|href)="(https?:)?//', page)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        async with client.get(unescape(asset)) as response:
            assert response.status == 200


def test_both_languages_have_the_same_labels():
    assert set(PAGES["vi"]) == set(PAGES["en"])
    for key, english in PAGES["en"].items():
        assert re.findall(r"{\w+}", english) == re.findall(r"{\w+}", PAGES["vi"][key]), key


# Refusals and the history in the shop's language (Vietnamese, the default)


async def test_a_refusal_that_names_a_field_is_shown_beside_it_in_vietnamese(client_vi, service):
    order = await draft(service)
    data = edit_data(order, street="1" * 600)
    body, _ = await post(client_vi, f"/orders/{order.id}/edit", data, 422)
    assert re.search(
        r'<span class="field-error" id="error-street">Địa chỉ dài quá: tối đa 500 ký tự.</span>',
        body,
    )
    assert 'lang="vi"' in body and 'value="' + "1" * 600 + '"' in body  # nothing typed is lost
    assert (await service.detail(order.id)).version == order.version


async def test_a_refused_action_is_said_at_the_top_in_vietnamese(client_vi, service):
    order = await live_draft(service, LineInput(quantity=1, code="Z9"))
    body, _ = await post(client_vi, f"/orders/{order.id}/actions/create_order", {"version": 1}, 409)
    assert f"Đơn {order.code} chưa đi tiếp được: còn thiếu sản phẩm cho mã Z9." in text_of(body)
    assert "cannot go on" not in body


async def test_the_history_speaks_vietnamese(client_vi, service):
    order = await live_draft(service, LineInput(quantity=1, code="A1"))
    order = await service.act(
        order.id,
        "edit",
        actor=STAFF_ACTOR,
        version=1,
        changes=OrderChanges(buyer_phone="0987654321", street="99 Hàng Bông"),
    )
    await service.act(order.id, "create_order", actor=STAFF_ACTOR, version=order.version)
    page = text_of(await get(client_vi, f"/orders/{order.id}"))
    assert "Lan (Nhân viên) Tạo nháp: → Nháp Nguồn: Livestream" in page
    assert "Lan (Nhân viên) Sửa: số điện thoại, địa chỉ" in page
    assert "Lan (Nhân viên) Tạo đơn: Nháp → Chờ vận chuyển" in page
    for raw in ("create:", "livestream)", "buyer_phone", "fields:"):
        assert raw not in page


async def test_the_history_speaks_english_when_the_shop_does(client, service):
    order = await live_draft(service, LineInput(quantity=1, code="A1"))
    order = await service.act(
        order.id, "edit", actor=STAFF_ACTOR, version=1, changes=OrderChanges(note="gọi trước")
    )
    page = text_of(await get(client, f"/orders/{order.id}"))
    assert "Lan (Staff) Draft created: → Draft Source: Livestream" in page
    assert "Lan (Staff) Edit: note" in page


async def test_the_live_pages_say_which_page_a_live_is_on(client, client_vi):
    async with client.app[RUNTIME].sessions.begin() as session:
        await open_session(session, VIDEO, title="Live tối thứ Bảy", page_id="5550001")
    listed = await get(client, "/live")
    assert "Page 5550001" in listed
    assert "Page 5550001" in await get(client, f"/live/{VIDEO}/comments")
    assert "Trang 5550001" in await get(client_vi, "/live")
