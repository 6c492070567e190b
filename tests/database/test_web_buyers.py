"""The buyer page and risky buyers in the staff pages, over real HTTP against the whole app on
SQLite, signed in as in `test_web_pages`: what staff read about a buyer and how a flagged
buyer's order asks before it goes on. The fixtures are `test_web_pages`'s, imported."""

# ruff: noqa: F811

from __future__ import annotations

from application import customers
from orders.changes import LineInput
from orders.drafts import Buyer, NewOrder
from tests.database.test_web_pages import (  # noqa: F401 (fixtures)
    STAFF_ACTOR,
    client,
    client_vi,
    get,
    order_with,
    post,
    service,
    signed_in,
    staff,
    text_of,
)


async def test_the_buyer_page_shows_orders_counts_details_and_saves_edits(client, service):
    first = await order_with(service)
    second = await order_with(service, name="", street="", ward="", province="", facebook_id="")
    assert "address" in second.prefilled
    cid = first.customer.id
    assert second.customer.id == cid

    page = text_of(await get(client, f"/orders/{second.id}"))
    assert "from the last order" in page
    assert f'href="/customers/{cid}"' in await get(client, f"/orders/{second.id}")

    page = text_of(await get(client, f"/customers/{cid}"))
    assert "Nguyễn Thị Hoa" in page
    assert first.label in page and second.label in page
    assert "Delivered 0 Failed 0 Returned 0" in page
    assert "12 Lý Thường Kiệt" in page
    assert "typed by staff" in page

    body, where = await post(
        client,
        f"/customers/{cid}",
        {
            "name": "Hoa Nguyễn",
            "phone": "0988 777 666",
            "address": "3 Hàng Gai",
            "ward": "Phường Hoàn Kiếm",
            "district": "",
            "province": "Thành phố Hà Nội",
        },
    )
    assert where == f"/customers/{cid}?done=saved"
    assert "3 Hàng Gai" in text_of(body) and "0988777666" in text_of(body)
    record = await customers.customer(service, cid)
    assert (record.phone, record.address, record.details_source) == (
        "0988777666",
        "3 Hàng Gai",
        "staff",
    )

    bad, _ = await post(client, f"/customers/{cid}", {"phone": "12"}, status=422)
    assert "'12' is not a Vietnamese phone number" in text_of(bad)


async def test_customers_are_searched_and_unknown_ones_are_404(client, service):
    order = await order_with(service)
    page = await get(client, "/customers?q=0912345678")
    assert f"/customers/{order.customer.id}" in page
    assert "No customers." in text_of(await get(client, "/customers?q=nobody-at-all"))
    await get(client, "/customers/99999", status=404)
    await get(client, "/customers/abc", status=404)


async def test_flagging_from_the_order_page_holds_create_until_confirmed(client, service):
    order = await order_with(service)
    body, where = await post(
        client,
        f"/customers/{order.customer.id}/flag",
        {"flagged": "1", "flag_reason": "bom hàng", "next": f"/orders/{order.id}"},
    )
    assert where.startswith(f"/orders/{order.id}")
    assert "Flagged buyer: bom hàng" in text_of(body)

    asked, _ = await post(
        client,
        f"/orders/{order.id}/actions/create_order",
        {"version": str(order.version)},
        status=409,
    )
    assert "Flagged buyer: bom hàng. Still create order?" in text_of(asked)
    assert (await service.detail(order.id)).status == "draft"

    _, where = await post(
        client,
        f"/orders/{order.id}/actions/create_order",
        {"version": str(order.version), "approve_risky": "1"},
    )
    moved = await service.detail(order.id)
    assert moved.status == "waiting_for_shipping"
    assert moved.events[-1].details["approved_risky"] is True

    body, _ = await post(
        client, f"/customers/{order.customer.id}/flag", {"flagged": "0", "next": "/"}
    )
    assert not (await customers.customer(service, order.customer.id)).flagged


async def test_pages_speak_vietnamese_by_default(client_vi, service):
    order = await service.create_draft(
        NewOrder(
            buyer=Buyer(
                name="Lê Mai",
                phone="0977111222",
                street="1 Lê Lợi",
                ward="Phường Sài Gòn",
                province="Thành phố Hồ Chí Minh",
            ),
            lines=[LineInput(quantity=1, code="A1")],
        ),
        STAFF_ACTOR,
    )
    again = await service.create_draft(
        NewOrder(buyer=Buyer(phone="0977111222"), lines=[LineInput(quantity=1, code="A1")]),
        STAFF_ACTOR,
    )
    assert again.customer.address == "1 Lê Lợi"
    page = text_of(await get(client_vi, f"/orders/{again.id}"))
    assert "theo đơn trước" in page
    assert "Gắn cờ khách" in page
    buyer = text_of(await get(client_vi, f"/customers/{order.customer.id}"))
    assert "Đơn của khách" in buyer and "Thông tin đã lưu" in buyer and "nhân viên nhập" in buyer
    assert "Khách hàng" in buyer  # the nav
