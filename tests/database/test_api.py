"""The JSON API through real HTTP, on SQLite and PostgreSQL: what an integration would see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.services import OrderService
from chotdon.app import create_app
from orders.changes import LineInput
from orders.drafts import NewOrder
from orders.staff import add_staff
from tests.conftest import API_TOKEN, make_settings
from tests.factories import BUYER, STAFF, seed_items

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
CUSTOMER = {
    "name": "Nguyễn Thị Hoa",
    "phone": "0912 345 678",
    "address": "12 Lý Thường Kiệt",
    "ward": "Phường Cửa Nam",
    "district": "",
    "province": "Thành phố Hà Nội",
}
SHIP_INDIVIDUAL = {
    "carrier": "individual",
    "shipper_name": "Anh Tuấn",
    "shipper_phone": "0987654321",
}


@dataclass
class Api:
    """Calls with the bearer token unless told otherwise; answers (status, JSON body)."""

    client: TestClient

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        data: str | bytes | None = None,
    ) -> tuple[int, Any]:
        async with self.client.request(
            method, path, json=body, data=data, headers=AUTH if headers is None else headers
        ) as response:
            return response.status, await response.json()

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("POST", path, body, **kwargs)

    async def patch(self, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("PATCH", path, body, **kwargs)

    async def create(self, **fields: Any) -> dict[str, Any]:
        body = {"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 2}]}
        body["shipping_fee"] = 30_000
        status, order = await self.post("/api/orders", {**body, **fields})
        assert status == 201, order
        return order

    async def act(self, order: dict[str, Any], action: str, **fields: Any) -> dict[str, Any]:
        status, moved = await self.post(
            f"/api/orders/{order['id']}/actions/{action}", {"version": order["version"], **fields}
        )
        assert status == 200, moved
        return moved


@pytest.fixture
async def api(aiohttp_client, db_url: str, sessions: async_sessionmaker[AsyncSession]) -> Api:
    await seed_items(sessions)
    return Api(await aiohttp_client(create_app(make_settings(db_url), run_worker=False)))


async def _app_with(aiohttp_client, db_url: str, **settings: object) -> Api:
    return Api(
        await aiohttp_client(create_app(make_settings(db_url, **settings), run_worker=False))
    )


# --- the token gate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": API_TOKEN}],
    ids=["no header", "wrong token", "no scheme"],
)
async def test_refuses_calls_without_the_right_token(api: Api, headers: dict[str, str]) -> None:
    for method, path in [("GET", "/api/orders"), ("POST", "/api/orders"), ("GET", "/api/nope")]:
        status, body = await api.call(method, path, headers=headers)
        assert status == 401
        assert body["error"] == "unauthorized"
        assert "CHOTDON_API_TOKEN" in body["message"] or "token" in body["message"]


async def test_refuses_every_call_when_no_token_is_configured(aiohttp_client, db_url) -> None:
    api = await _app_with(aiohttp_client, db_url, api_token=None)
    for headers in ({}, AUTH, {"Authorization": "Bearer "}):
        status, body = await api.get("/api/items", headers=headers)
        assert status == 401
        assert "CHOTDON_API_TOKEN" in body["message"]
    status, body = await api.get("/healthz", headers={})
    assert status == 200


# --- creating orders --------------------------------------------------------------------------


async def test_manual_order_is_a_draft_whose_cod_follows_the_total(api: Api) -> None:
    status, order = await api.post(
        "/api/orders",
        {"customer": CUSTOMER, "lines": [{"code": "a1", "quantity": 2}], "shipping_fee": 30_000},
    )
    assert status == 201
    assert (order["status"], order["source"], order["version"]) == ("draft", "manual", 1)
    assert order["customer"]["phone"] == "0912345678"
    assert order["customer"]["address"] == "12 Lý Thường Kiệt"
    assert order["lines"][0]["sku"] == "AO-001"
    assert order["lines"][0]["unit_price"] == 150_000
    assert order["total"] == 330_000
    assert order["cod_amount"] == 330_000
    assert [(e["action"], e["source"], e["to_status"]) for e in order["events"]] == [
        ("create", "api", "draft")
    ]
    status, again = await api.get(f"/api/orders/{order['id']}")
    assert status == 200 and again["code"] == order["code"]


async def test_cod_zero_means_prepaid_and_delivery_completes_the_order(api: Api) -> None:
    order = await api.create(
        cod_amount=0, lines=[{"sku": "QUAN-002", "quantity": 1, "unit_price": 300_000}]
    )
    assert (order["total"], order["cod_amount"]) == (330_000, 0)
    for action, fields in [("create_order", {}), ("ship", SHIP_INDIVIDUAL), ("complete", {})]:
        order = await api.act(order, action, **fields)
    assert order["status"] == "complete"
    assert (await api.get("/api/shippers/debt"))[1] == {"shippers": [], "total": 0}


async def test_unknown_sku_is_refused(api: Api) -> None:
    status, body = await api.post(
        "/api/orders", {"customer": CUSTOMER, "lines": [{"sku": "NOPE-9", "quantity": 1}]}
    )
    assert status == 422
    assert body["error"] == "invalid_input"
    assert "NOPE-9" in body["message"]


async def test_bad_phone_is_refused(api: Api) -> None:
    customer = {**CUSTOMER, "phone": "12345"}
    status, body = await api.post(
        "/api/orders", {"customer": customer, "lines": [{"code": "A1", "quantity": 1}]}
    )
    assert status == 422
    assert (body["reason"], body["params"]) == ("bad_phone", {"field": "phone", "typed": "12345"})
    assert body["message"] == "'12345' không phải số điện thoại Việt Nam (ví dụ 0912345678)."


async def test_a_body_that_is_not_json_is_a_400(api: Api) -> None:
    status, body = await api.post(
        "/api/orders", data=b"{customer: nope", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert status == 400
    assert body["error"] == "invalid_json"
    status, body = await api.post("/api/orders", [1, 2])
    assert status == 422 and "JSON object" in body["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"code": "A1", "quantity": 1}]}, "customer"),
        ({"customer": CUSTOMER, "lines": []}, "lines"),
        ({"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 0}]}, "lines[0].quantity"),
        ({"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": "2"}]}, "lines[0].quantity"),
        ({"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 1.5}]}, "lines[0].quantity"),
        ({"customer": CUSTOMER, "lines": [{"quantity": 1}]}, "lines[0]"),
        ({"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 1}], "cod_amount": -1}, "cod"),
        ({"customer": {**CUSTOMER, "name": "x" * 300}, "lines": []}, "customer.name"),
        ({"customer": {**CUSTOMER, "name": "a\x00b"}, "lines": []}, "customer.name"),
        ({"customer": {**CUSTOMER, "name": "\ud800"}, "lines": []}, "customer.name"),
        ({"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 1}], "staff": 2**70}, "staff"),
        ({"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 1}], "staff": 42}, "staff"),
    ],
    ids=[
        "no customer",
        "no lines",
        "zero quantity",
        "quantity as text",
        "fractional quantity",
        "line without item",
        "negative cod",
        "name too long",
        "NUL in name",
        "lone surrogate in name",
        "staff id out of range",
        "unknown staff",
    ],
)
async def test_schema_problems_name_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    status, answer = await api.post("/api/orders", body)
    assert status == 422
    assert answer["error"] == "invalid_input"
    assert field in answer["message"]
    status, listing = await api.get("/api/orders")
    assert listing["orders"] == []


# --- listing ------------------------------------------------------------------------------------


async def test_list_filters_by_status_staff_video_and_text(
    api: Api, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as session:
        await add_staff(session, 111, "Lan", "sales")
        await add_staff(session, 222, "Minh", "sales")
    hoa = await api.create(staff=111)
    binh = await api.create(
        staff=222, customer={**CUSTOMER, "name": "Trần Văn Bình", "phone": "0987000111"}
    )
    binh = await api.act(binh, "create_order")
    live = await OrderService(sessions).create_draft(
        NewOrder(
            buyer=BUYER,
            lines=[LineInput(quantity=1, code="A1")],
            source="livestream",
            video_id="vid-1",
        ),
        STAFF,
    )

    async def ids(query: str) -> list[int]:
        status, page = await api.get(f"/api/orders?{query}")
        assert status == 200, page
        return [order["id"] for order in page["orders"]]

    assert await ids("") == [live.id, binh["id"], hoa["id"]]
    assert await ids("status=&staff=&video_id=&q=&cursor=") == [live.id, binh["id"], hoa["id"]]
    assert await ids("status=waiting_for_shipping") == [binh["id"]]
    assert await ids("status=draft") == [live.id, hoa["id"]]
    assert await ids("staff=111") == [hoa["id"]]
    assert await ids("staff=333") == []
    assert await ids("video_id=vid-1") == [live.id]
    assert await ids(f"q={hoa['code'].lower()}") == [hoa["id"]]
    assert await ids("q=0987000") == [binh["id"]]
    assert await ids("q=văn bình") == [binh["id"]]
    assert await ids("status=waiting_for_shipping&staff=111") == []


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("status=lost", ["trạng thái", "draft"]),
        ("staff=lan", ["staff"]),
        ("limit=0", ["Số đơn mỗi trang", "200"]),
        ("limit=many", ["limit"]),
        ("cursor=abc", ["cursor"]),
        ("cursor=99999999999999999999", ["cursor"]),
        ("q=%00", ["q"]),
    ],
)
async def test_list_refuses_bad_parameters(api: Api, query: str, words: list[str]) -> None:
    status, body = await api.get(f"/api/orders?{query}")
    assert status == 422
    assert all(word in body["message"] for word in words), body


async def test_cursor_pages_through_every_order_once(api: Api) -> None:
    created = [(await api.create())["id"] for _ in range(5)]
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = await api.get(f"/api/orders?{query}")
        assert status == 200
        seen += [order["id"] for order in page["orders"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert pages == 3
    assert seen == sorted(created, reverse=True)


# --- one order ------------------------------------------------------------------------------


async def test_detail_shows_the_history(api: Api) -> None:
    order = await api.create()
    await api.act(order, "create_order", reason="buyer confirmed by phone")
    status, detail = await api.get(f"/api/orders/{order['id']}")
    assert status == 200
    assert detail["status"] == "waiting_for_shipping"
    assert [(e["action"], e["from_status"], e["to_status"]) for e in detail["events"]] == [
        ("create", None, "draft"),
        ("create_order", "draft", "waiting_for_shipping"),
    ]
    assert all(e["actor"] and e["at"] and e["source"] == "api" for e in detail["events"])


@pytest.mark.parametrize("order_id", ["abc", "0", "999999", "99999999999999999999", "-1"])
async def test_an_order_that_cannot_exist_is_a_404(api: Api, order_id: str) -> None:
    for method in ("GET", "PATCH"):
        status, body = await api.call(method, f"/api/orders/{order_id}", {"version": 1})
        assert status == 404
        assert body["error"] == "not_found" and order_id in body["message"]
    status, body = await api.post(f"/api/orders/{order_id}/actions/cancel", {"version": 1})
    assert status == 404


async def test_patch_replaces_lines_and_totals_follow(api: Api) -> None:
    order = await api.create()
    status, edited = await api.patch(
        f"/api/orders/{order['id']}",
        {
            "version": 1,
            "lines": [{"sku": "QUAN-002", "quantity": 1}, {"code": "A1", "quantity": 3}],
            "customer": {"address": "45 Hàng Bài"},
            "note": "giao giờ hành chính",
        },
    )
    assert status == 200, edited
    assert edited["version"] == 2
    assert [(line["sku"], line["quantity"]) for line in edited["lines"]] == [
        ("QUAN-002", 1),
        ("AO-001", 3),
    ]
    assert (edited["subtotal"], edited["total"], edited["cod_amount"]) == (
        770_000,
        800_000,
        800_000,
    )
    assert edited["customer"]["address"] == "45 Hàng Bài"
    assert edited["customer"]["name"] == CUSTOMER["name"]
    assert edited["note"] == "giao giờ hành chính"
    assert edited["events"][-1]["action"] == "edit"

    path = f"/api/orders/{order['id']}"
    status, edited = await api.patch(path, {"version": 2, "cod_amount": 100_000})
    assert (status, edited["cod_amount"], edited["total"]) == (200, 100_000, 800_000)
    status, edited = await api.patch(path, {"version": 3, "cod_amount": None})
    assert (status, edited["cod_amount"]) == (200, 800_000)


async def test_patch_can_clear_the_note_but_an_empty_customer_changes_nothing(api: Api) -> None:
    order = await api.create(note="gọi trước khi giao")
    path = f"/api/orders/{order['id']}"
    status, edited = await api.patch(path, {"version": 1, "note": ""})
    assert (status, edited["note"], edited["version"]) == (200, "", 2)
    status, body = await api.patch(path, {"version": 2, "customer": {}})
    assert (status, body["reason"]) == (422, "empty_edit")
    assert body["message"] == "Chưa có gì để sửa: hãy đổi ít nhất một mục."


async def test_edit_after_create_order_moves_only_the_difference_in_stock(api: Api) -> None:
    order = await api.act(await api.create(), "create_order")
    status, edited = await api.patch(
        f"/api/orders/{order['id']}",
        {"version": order["version"], "lines": [{"code": "A1", "quantity": 5}]},
    )
    assert status == 200 and edited["status"] == "waiting_for_shipping"
    status, items = await api.get("/api/items")
    assert {i["sku"]: i["stock"] for i in items["items"]}["AO-001"] == 95
    status, body = await api.patch(
        f"/api/orders/{order['id']}",
        {"version": edited["version"], "lines": [{"sku": "MU-003", "quantity": 3}]},
    )
    assert status == 409 and "MU-003" in body["message"]


async def test_patch_assigns_staff_by_telegram_id(
    api: Api, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as session:
        await add_staff(session, 111, "Lan", "sales")
    order = await api.create()
    path = f"/api/orders/{order['id']}"
    status, edited = await api.patch(path, {"version": 1, "staff": 111})
    assert status == 200 and edited["staff"] == {"telegram_id": 111, "name": "Lan"}
    status, body = await api.patch(path, {"version": 2, "staff": 999})
    assert status == 422 and "999" in body["message"]


async def test_patch_needs_a_version_and_a_change(api: Api) -> None:
    order = await api.create()
    path = f"/api/orders/{order['id']}"
    status, body = await api.patch(path, {"note": "x"})
    assert status == 422 and "version" in body["message"]
    status, body = await api.patch(path, {"version": 1})
    assert (status, body["reason"]) == (422, "empty_edit")
    status, body = await api.patch(path, {"version": "1", "note": "x"})
    assert status == 422 and "version" in body["message"]


async def test_stale_version_is_a_409_saying_the_current_status(api: Api) -> None:
    order = await api.create()
    order = await api.act(order, "create_order")
    status, body = await api.patch(f"/api/orders/{order['id']}", {"version": 1, "note": "late"})
    assert status == 409
    assert body["error"] == "stale_version"
    assert "Chờ vận chuyển" in body["message"] and "phiên bản 2" in body["message"]
    assert body["params"] == {
        "order": order["code"],
        "status": "waiting_for_shipping",
        "version": 2,
        "seen": 1,
    }
    status, detail = await api.get(f"/api/orders/{order['id']}")
    assert detail["note"] == "" and detail["version"] == 2


async def test_an_action_the_status_does_not_allow_is_a_409_naming_the_status(api: Api) -> None:
    order = await api.create()
    status, body = await api.post(f"/api/orders/{order['id']}/actions/collect_cod", {"version": 1})
    assert status == 409
    assert (body["error"], body["reason"]) == ("action_not_allowed", "status_forbids")
    assert body["message"] == (
        f"Đơn {order['code']} đang ở trạng thái Nháp: không thể “Thu COD” lúc này (có thể: "
        "“Lưu nháp”, “Sửa”, “Tạo đơn”, “Chuyển cửa hàng”, “Giao hàng”, “Hủy”)."
    )
    assert body["params"]["status"] == "draft" and body["params"]["action"] == "collect_cod"


async def test_unknown_action_lists_the_known_ones(api: Api) -> None:
    order = await api.create()
    status, body = await api.post(f"/api/orders/{order['id']}/actions/teleport", {"version": 1})
    assert status == 422
    assert "teleport" in body["message"] and "create_order" in body["message"]


async def test_fields_an_action_does_not_use_are_refused(api: Api) -> None:
    order = await api.create()
    status, body = await api.post(
        f"/api/orders/{order['id']}/actions/create_order", {"version": 1, "note": "x"}
    )
    assert status == 422 and "note" in body["message"] and "edit" in body["message"]
    status, body = await api.patch(f"/api/orders/{order['id']}", {"version": 1, "carrier": "ghn"})
    assert status == 422 and "carrier" in body["message"]


async def test_save_draft_through_the_action_route_takes_edit_fields(api: Api) -> None:
    order = await api.create()
    saved = await api.act(order, "save_draft", shipping_fee=0)
    assert (saved["status"], saved["total"], saved["version"]) == ("draft", 300_000, 2)
    saved = await api.act(saved, "save_draft")
    assert saved["version"] == 3


async def test_print_actions_record_and_change_nothing(api: Api) -> None:
    order = await api.create()
    status, printed = await api.post(f"/api/orders/{order['id']}/actions/print_bill")
    assert status == 200
    assert (printed["status"], printed["version"]) == ("draft", 1)
    assert printed["events"][-1]["action"] == "print_bill"


# --- shipping, COD and stock ----------------------------------------------------------------


async def test_walk_to_complete_and_the_cod_debt_over_http(api: Api) -> None:
    order = await api.create()
    order = await api.act(order, "create_order")
    order = await api.act(order, "ship", **SHIP_INDIVIDUAL)
    assert order["status"] == "shipping"
    assert order["shipper"]["kind"] == "individual"
    assert (await api.get("/api/shippers/debt"))[1]["total"] == 0

    order = await api.act(order, "complete")
    assert order["status"] == "wait_for_cod"
    status, debt = await api.get("/api/shippers/debt")
    assert status == 200
    assert debt["total"] == 330_000
    [shipper] = debt["shippers"]
    assert shipper["kind"] == "individual"
    assert "Anh Tuấn" in shipper["label"]
    assert shipper["amount"] == 330_000
    assert shipper["orders"] == [
        {"id": order["id"], "code": order["code"], "amount": 330_000, "tracking_code": None}
    ]

    order = await api.act(order, "collect_cod")
    assert order["status"] == "complete"
    assert (await api.get("/api/shippers/debt"))[1] == {"shippers": [], "total": 0}
    status, items = await api.get("/api/items")
    stock = {item["sku"]: item["stock"] for item in items["items"]}
    assert stock["AO-001"] == 98


async def test_individual_shipper_needs_a_phone(api: Api) -> None:
    order = await api.create()
    status, body = await api.post(
        f"/api/orders/{order['id']}/actions/ship",
        {"version": 1, "carrier": "individual", "shipper_name": "Anh Tuấn"},
    )
    assert status == 422 and body["message"] == (
        "Shipper riêng cần có tên và số điện thoại Việt Nam."
    )
    assert body["params"] == {"field": "shipper_phone"}


async def test_unconfigured_carrier_is_refused_before_anything_changes(api: Api) -> None:
    order = await api.create()
    status, body = await api.post(
        f"/api/orders/{order['id']}/actions/ship", {"version": 1, "carrier": "ghn"}
    )
    assert status == 422
    assert body["error"] == "carrier_not_configured"
    assert "ghn" in body["message"] and "GHN_TOKEN" in body["message"]
    status, detail = await api.get(f"/api/orders/{order['id']}")
    assert (detail["status"], detail["version"]) == ("draft", 1)


async def test_configured_carrier_ships(aiohttp_client, db_url, sessions) -> None:
    await seed_items(sessions)
    api = await _app_with(aiohttp_client, db_url, ghn_token="ghn-secret")
    order = await api.act(await api.create(), "ship", carrier="GHN")
    # Shipped straight from the draft: GHN is asked after the commit; the order waits.
    assert order["status"] == "draft"
    assert order["shipper"]["kind"] == "ghn" and order["shipper"]["state"] == "requesting"


async def test_out_of_stock_is_a_409_naming_the_item(api: Api) -> None:
    order = await api.create(lines=[{"sku": "MU-003", "quantity": 3}])
    status, body = await api.post(f"/api/orders/{order['id']}/actions/create_order", {"version": 1})
    assert status == 409
    assert body["error"] == "out_of_stock"
    assert "Mũ lưỡi trai" in body["message"] and "MU-003" in body["message"]
    status, items = await api.get("/api/items")
    assert {i["sku"]: i["stock"] for i in items["items"]}["MU-003"] == 2


async def test_items_lists_the_catalog(api: Api) -> None:
    status, body = await api.get("/api/items")
    assert status == 200
    assert body["items"][0] == {
        "sku": "AO-001",
        "name": "Áo thun trắng",
        "price": 150_000,
        "stock": 100,
        "weight_g": 200,
        "code": "A1",
    }
    assert [item["sku"] for item in body["items"]] == ["AO-001", "MU-003", "QUAN-002"]


# --- refusals: the machine code, its params, and words in the shop's language ----------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "vi",
            "Đơn {code} chưa đi tiếp được: còn thiếu số điện thoại khách, "
            "địa chỉ khách (số nhà, phường/xã, tỉnh/thành).",
        ),
        (
            "en",
            "Order {code} cannot go on yet: it needs the buyer's phone, "
            "the buyer's address (street, ward and province).",
        ),
    ],
)
async def test_an_incomplete_order_is_refused_with_what_is_missing_as_params(
    aiohttp_client, db_url: str, sessions, language: str, message: str
) -> None:
    await seed_items(sessions)
    api = await _app_with(aiohttp_client, db_url, language=language)
    customer = {**CUSTOMER, "phone": "", "address": ""}
    status, order = await api.post(
        "/api/orders", {"customer": customer, "lines": [{"code": "A1", "quantity": 1}]}
    )
    assert status == 201, order
    status, body = await api.post(
        f"/api/orders/{order['id']}/actions/create_order", {"version": order["version"]}
    )
    assert status == 409
    assert body == {
        "error": "order_incomplete",
        "reason": "incomplete",
        "message": message.format(code=order["code"]),
        "params": {
            "order": order["code"],
            "missing": ["phone", "address"],
            "codes": [],
            "waitlisted": [],
        },
    }


async def test_an_unknown_order_is_refused_in_english_when_the_shop_is_english(
    aiohttp_client, db_url: str
) -> None:
    api = await _app_with(aiohttp_client, db_url, language="en")
    status, body = await api.post("/api/orders/424242/actions/cancel", {"version": 1})
    assert (status, body["error"], body["reason"]) == (404, "not_found", "no_order")
    assert (body["message"], body["params"]) == ("There is no order 424242.", {"order": 424242})
