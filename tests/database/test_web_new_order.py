"""The new order screen and the edit page's prices, over real HTTP against the whole app:
what staff see and what the order becomes."""

from __future__ import annotations

import re

from orders.addresses import provinces, wards
from orders.queries import OrderFilter
from tests.database import test_web_pages as pages
from tests.database.test_web_pages import edit_data, get, post, text_of
from tests.factories import draft

# The pages' fixtures: a signed-in staff member's client and the service behind it.
signed_in, client, service = pages.signed_in, pages.client, pages.service


def _province_and_ward() -> tuple[int, int, str, str]:
    code, name = next((c, n) for c, n in provinces() if "Hà Nội" in n)
    ward_code, ward = next((c, n) for c, n in wards(code) if "Cửa Nam" in n)
    return code, ward_code, name, ward


async def test_the_new_order_screen_is_linked_from_the_list(client) -> None:
    page = await get(client, "/")
    assert 'href="/orders/new"' in page
    form = await get(client, "/orders/new")
    assert "New order" in text_of(form)
    assert '<option value="AO-001">A1 · Áo thun trắng · 150.000 đ</option>' in form
    assert 'list="catalog-items"' in form


async def test_a_known_buyer_is_found_by_phone_and_the_draft_is_manual_at_catalog_price(
    client, service
) -> None:
    await draft(service)  # the buyer is on file now
    found, _ = await post(client, "/orders/new", {"q": "0912 345 678", "do": "find", "rows": 3})
    assert 'value="Nguyễn Thị Hoa"' in found  # the only match fills the form at once
    assert 'name="street" value="12 Lý Thường Kiệt"' in found
    province, ward, _, _ = _province_and_ward()
    assert re.search(rf'<option value="{province}" selected>', found)
    assert re.search(rf'<option value="{ward}" selected>', found)

    data = {
        "rows": 3,
        "phone": "0912345678",
        "name": "Nguyễn Thị Hoa",
        "street": "12 Lý Thường Kiệt",
        "province": province,
        "ward": ward,
        "item-0": "A1",  # typed as the code
        "qty-0": "2",
        "item-1": "QUAN-002",  # picked from the list: the SKU
        "qty-1": "1",
        "price-1": "300k",
        "discount": "20k",
        "shipping_fee": "30000",
        "free_shipping": "1",
        "note": "gọi trước",
        "do": "create",
    }
    page, url = await post(client, "/orders/new", data)
    order_id = int(re.fullmatch(r"/orders/(\d+)\?done=save_draft", url).group(1))
    order = await service.detail(order_id)
    assert (order.source, order.status) == ("manual", "draft")
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("AO-001", 2, 150_000),
        ("QUAN-002", 1, 300_000),
    ]
    assert (order.discount, order.shipping_fee, order.total) == (20_000, 0, 580_000)
    assert order.cod_amount == 580_000
    assert order.customer.id is not None and order.staff is not None
    assert "Discount" in text_of(page) and "Free" in text_of(page)


async def test_errors_stand_beside_their_fields_and_keep_what_was_typed(client, service) -> None:
    data = {
        "rows": 3,
        "phone": "12345",
        "name": "Trần Văn Bình",
        "item-0": "A1",
        "qty-0": "1",
        "item-1": "ZZ-NOPE",
        "discount": "abc",
        "note": "để ở bảo vệ",
        "do": "create",
    }
    page, _ = await post(client, "/orders/new", data, 422)
    assert "'12345' is not a Vietnamese phone number" in text_of(page)
    assert "The catalog has no item 'ZZ-NOPE'" in text_of(page)
    assert "'abc' is not an amount" in text_of(page)
    for typed in ('value="Trần Văn Bình"', 'value="12345"', 'value="ZZ-NOPE"', "để ở bảo vệ"):
        assert typed in page
    assert (await service.list_orders(OrderFilter())).orders == ()

    too_much = {"rows": 1, "name": "Bình", "item-0": "A1", "discount": "200000", "do": "create"}
    page, _ = await post(client, "/orders/new", too_much, 422)
    assert re.search(r'id="error-discount">A discount of 200.000 VND is more', page)
    assert 'name="discount" value="200000"' in page


async def test_no_items_and_more_rows(client) -> None:
    page, _ = await post(client, "/orders/new", {"rows": 3, "name": "Bình", "do": "create"}, 422)
    assert "At least one item is needed." in text_of(page)
    more, _ = await post(client, "/orders/new", {"rows": 3, "item-0": "A1", "do": "more"})
    assert 'name="item-5"' in more and 'name="item-0" value="A1"' in more


async def test_the_edit_page_changes_a_price_and_the_discount(client, service) -> None:
    order = await draft(service)  # 2 x A1, 30.000 shipping
    page = await get(client, f"/orders/{order.id}/edit")
    assert 'name="line-0-price" value="150000"' in page
    assert 'name="discount" value="0"' in page
    assert "Free shipping" in text_of(page)

    data = edit_data(order, do="save", discount="50k", **{"line-0-price": "140.000"})
    _, url = await post(client, f"/orders/{order.id}/edit", data)
    assert url == f"/orders/{order.id}?done=save_draft"
    saved = await service.detail(order.id)
    assert (saved.lines[0].unit_price, saved.discount) == (140_000, 50_000)
    assert (saved.total, saved.cod_amount) == (260_000, 260_000)
    details = saved.events[-1].details
    assert {"discount", "unit_price", "cod_amount"} <= set(details["fields"])
    assert details["prices"] == [{"code": "A1", "from": 150_000, "to": 140_000}]
    shown = text_of(await get(client, f"/orders/{order.id}"))
    assert "Discount: 0 đ → 50.000 đ" in shown
    assert "A1 150.000 đ → 140.000 đ" in shown

    free = edit_data(saved, do="save", discount="50000", free_shipping="1")
    await post(client, f"/orders/{order.id}/edit", free)
    assert (await service.detail(order.id)).shipping_fee == 0

    too_much = edit_data(await service.detail(order.id), do="save", discount="1tr")
    page, _ = await post(client, f"/orders/{order.id}/edit", too_much, 422)
    assert re.search(r'id="error-discount">A discount of 1.000.000 VND is more', page)
