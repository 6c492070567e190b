"""The staff pages' rough edges found on a walk through the demo (issue 16, "Pages that fit a
shop's day"), over real HTTP against the whole app: the shipper's fields pick the individual
shipper, a line marked for checking says why and can be accepted (with a history event), the
ward picker is in Vietnamese order with clean names, a completed order's edit page is read
only, Collect COD asks first, the edit page's action bar keeps the rarer actions under "More",
and the favicon is served."""

# The fixtures come from `test_web_pages` by import; tests name them as parameters.
# ruff: noqa: F811
from __future__ import annotations

import re
from html import unescape

from application.live_comments import apply_comments
from application.live_sessions import open_session, parse_codes
from chotdon.runtime import RUNTIME
from kernel.collation import vietnamese_key
from livestream.config import IngestConfig
from orders.addresses import OFFICIAL_WARD_KINDS, picker_key, provinces, wards
from orders.changes import LineInput, OrderChanges
from orders.queries import OrderFilter
from staff_web.strings import labels
from tests.database.test_web_pages import (  # noqa: F401 (fixtures)
    PAGE_ID,
    VIDEO,
    client,
    client_vi,
    edit_data,
    get,
    live_draft,
    post,
    said,
    service,
    signed_in,
    staff,
    text_of,
)
from tests.factories import STAFF, order_in

EN = labels("en")
VI = labels("vi")


async def kids_size_draft(service):
    """A draft as the comment `A1 90` makes one: A1 with 90 read as a size, to check."""
    return await live_draft(
        service,
        LineInput(
            quantity=1,
            code="A1",
            variant="90",
            needs_review=True,
            review_reason="number_as_variant",
            review_value="90",
        ),
        LineInput(quantity=1, code="Z9"),
    )


# 1. The individual shipper


async def test_typing_the_shippers_name_and_phone_picks_the_individual_shipper(client, service):
    order = await order_in(service, "waiting_for_shipping")
    data = edit_data(order, do="ship", shipper_name="Anh Tuấn", shipper_phone="0903 111 222")
    assert "carrier" not in data  # no radio ticked

    _, url = await post(client, f"/orders/{order.id}/edit", data)

    assert url == f"/orders/{order.id}?done=ship"
    shipped = await service.detail(order.id)
    assert shipped.status == "shipping"
    assert (shipped.shipper.kind, shipped.shipper.name) == ("individual", "Anh Tuấn")
    assert shipped.shipper.phone == "0903111222"


async def test_a_shipper_error_opens_the_page_at_the_field_with_the_radio_ticked(client, service):
    order = await order_in(service, "waiting_for_shipping")
    data = edit_data(order, do="ship", shipper_name="Anh Tuấn", shipper_phone="12")

    body, _ = await post(client, f"/orders/{order.id}/edit", data, 422)

    assert "is not a Vietnamese phone number" in text_of(body)
    (radio,) = re.findall(r'<input type="radio" name="carrier" value="individual"[^>]*>', body)
    assert "checked" in radio  # the page says what it understood
    # The field with the error takes the focus, so the page opens there, not at the top.
    assert re.findall(r"<(?:input|select)[^>]*\bautofocus\b[^>]*>", body) == [
        re.search(r'<input type="tel" name="shipper_phone"[^>]*>', body).group()
    ]
    assert (await service.detail(order.id)).status == "waiting_for_shipping"


async def test_no_carrier_and_no_shipper_still_asks_for_one(client, service):
    order = await order_in(service, "waiting_for_shipping")
    body, _ = await post(client, f"/orders/{order.id}/edit", edit_data(order, do="ship"), 422)
    assert "Choose a carrier, or type the individual shipper's name and phone." in text_of(body)
    radio = re.search(r'<input type="radio" name="carrier" value="individual"[^>]*>', body)
    assert "autofocus" in radio.group()


# 2. A line marked for checking


async def test_a_comment_read_with_a_size_says_why_on_the_order_page(client, client_vi, service):
    sessions = client.app[RUNTIME].sessions
    async with sessions.begin() as session:
        await open_session(session, VIDEO, title="Live", codes=parse_codes("A1=AO-001"))
    async with sessions.begin() as session:
        await apply_comments(
            session,
            [said(1, "A1 90"), said(2, "Z9 1", buyer="fb-2")],
            IngestConfig(page_id=PAGE_ID),
        )
    page = await service.list_orders(OrderFilter())
    by_buyer = {row.customer.facebook_id or "": row for row in page.orders}
    sized = await service.detail(by_buyer["fb-1"].id)
    (line,) = sized.lines
    assert (line.needs_review, line.review_reason, line.review_value) == (
        True,
        "number_as_variant",
        "90",
    )
    unknown = await service.detail(by_buyer["fb-2"].id)
    assert (unknown.lines[0].review_reason, unknown.lines[0].review_value) == ("unknown_code", "Z9")

    assert "90 read as a size" in text_of(await get(client, f"/orders/{sized.id}"))
    assert "90 được đọc là size" in text_of(await get(client_vi, f"/orders/{sized.id}"))
    assert "Mã không có trong buổi live" in text_of(await get(client_vi, f"/orders/{unknown.id}"))
    edit_vi = text_of(await get(client_vi, f"/orders/{sized.id}/edit"))
    assert "90 được đọc là size" in edit_vi and "Đồng ý" in edit_vi


async def test_accepting_a_line_on_the_order_page_clears_it_with_a_history_event(client, service):
    order = await kids_size_draft(service)
    sized = order.lines[0]
    page = await get(client, f"/orders/{order.id}")
    action = f"/orders/{order.id}/lines/{sized.id}/accept"
    assert f'action="{action}"' in page
    # The unknown code has no such button: its item is picked on the edit page.
    assert f"/lines/{order.lines[1].id}/accept" not in page

    body, url = await post(client, action, {"version": order.version})

    assert url == f"/orders/{order.id}?done=accept_line"
    assert "Line accepted as read." in text_of(body)
    after = await service.detail(order.id)
    first = after.lines[0]
    assert (first.needs_review, first.review_reason, first.review_value) == (False, "", "")
    assert (first.code, first.variant, first.quantity, first.unit_price) == ("A1", "90", 1, 150_000)
    assert after.lines[1].needs_review and after.lines[1].review_reason == "unknown_code"
    assert "90 read as a size" not in text_of(body)
    edit = after.events[-1]
    assert (edit.action, edit.details.get("fields")) == ("edit", ["lines"])
    assert "Lan (Staff) Edit: items Reason: line accepted as read" in text_of(body)


async def test_accepting_with_an_old_version_or_a_line_that_is_not_marked_is_refused(
    client, service
):
    order = await kids_size_draft(service)
    sized, unknown = order.lines
    changes = OrderChanges(note="gọi trước")
    await service.act(order.id, "save_draft", actor=STAFF, version=order.version, changes=changes)
    body, _ = await post(
        client, f"/orders/{order.id}/lines/{sized.id}/accept", {"version": order.version}, 409
    )
    assert "changed" in text_of(body).lower()
    fresh = await service.detail(order.id)
    body, _ = await post(
        client, f"/orders/{order.id}/lines/{unknown.id}/accept", {"version": fresh.version}, 409
    )
    assert EN["review.not_found"] in text_of(body)
    assert (await service.detail(order.id)).lines[0].needs_review


async def test_accepting_a_line_from_the_edit_page_keeps_what_was_typed(client_vi, service):
    order = await kids_size_draft(service)
    data = edit_data(order, do="accept-0", note="Gọi trước khi giao")

    _, url = await post(client_vi, f"/orders/{order.id}/edit", data)

    assert url == f"/orders/{order.id}?done=save_draft"
    after = await service.detail(order.id)
    assert not after.lines[0].needs_review and after.lines[0].review_reason == ""
    assert after.note == "Gọi trước khi giao"
    assert {"note", "lines"} <= set(after.events[-1].details["fields"])


# 3. The ward picker


async def test_wards_are_in_vietnamese_order_with_clean_names(client, service):
    daklak = next(code for code, name in provinces() if name == "Đắk Lắk")
    async with client.get(f"/places/wards?province={daklak}") as response:
        listed = [w["name"] for w in (await response.json())["wards"]]
    assert listed == sorted(listed, key=lambda n: picker_key(n, OFFICIAL_WARD_KINDS))
    assert "Phường Buôn Ma Thuột" in listed  # listed officially with a double space
    assert not any("  " in name or name != name.strip() for name in listed)
    # `Buôn` before `Cư`, `Đắk` after every `D` word, by the name without its kind.
    assert listed.index("Phường Buôn Ma Thuột") < listed.index("Phường Cư Bao")
    assert listed.index("Xã Dur Kmăl") < listed.index("Xã Đắk Liêng")

    order = await order_in(service, "draft")
    hanoi = next(code for code, name in provinces() if name == "Thành phố Hà Nội")
    body, _ = await post(
        client, f"/orders/{order.id}/edit", edit_data(order, do="wards", province=hanoi)
    )
    options = re.findall(r'<option value="\d+">([^<]+)</option>', body)
    names = [unescape(o) for o in options]
    hanoi_wards = [name for _, name in wards(hanoi)]
    assert [n for n in names if n in hanoi_wards] == hanoi_wards
    assert "data-ward-filter" in body  # the box that filters as staff type


async def test_provinces_are_sorted_by_name_without_their_kind(client, service):
    order = await order_in(service, "draft")
    body = await get(client, f"/orders/{order.id}/edit")
    select = re.search(r'<select name="province".*?</select>', body, re.S).group()
    names = [unescape(n) for n in re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)]
    assert names[:3] == ["An Giang", "Bắc Ninh", "Cà Mau"]
    assert names.index("Thành phố Hà Nội") < names.index("Hà Tĩnh")
    assert names.index("Đồng Tháp") < names.index("Gia Lai")
    assert names == sorted(names, key=lambda n: vietnamese_key(re.sub("^Thành phố ", "", n)))


async def test_a_ward_named_with_a_double_space_is_stored_with_one(client, service):
    order = await order_in(service, "draft")
    daklak = next(code for code, name in provinces() if name == "Đắk Lắk")
    ward = next(code for code, name in wards(daklak) if name == "Phường Buôn Ma Thuột")
    data = edit_data(order, do="save", province=daklak, ward=ward)
    await post(client, f"/orders/{order.id}/edit", data)
    saved = await service.detail(order.id)
    assert (saved.customer.ward, saved.customer.province) == ("Phường Buôn Ma Thuột", "Đắk Lắk")
    again = await get(client, f"/orders/{order.id}/edit")
    assert re.search(rf'<option value="{ward}" selected>Phường Buôn Ma Thuột</option>', again)


# 4. Read only, asking first, the action bar, the favicon


async def test_a_completed_orders_edit_page_is_read_only(client, client_vi, service):
    done = await order_in(service, "complete")
    body = await get(client, f"/orders/{done.id}/edit")
    assert re.search(r'<fieldset class="whole" disabled>', body)
    assert "Read only: an order in status Complete cannot be edited." in text_of(body)
    assert 'value="save"' not in body and "accept-" not in body
    vi = text_of(await get(client_vi, f"/orders/{done.id}/edit"))
    assert "Chỉ xem: đơn ở trạng thái Hoàn thành không sửa được." in vi

    draft = await order_in(service, "draft")
    editable = await get(client, f"/orders/{draft.id}/edit")
    assert '<fieldset class="whole">' in editable and 'value="save"' in editable


async def test_collect_cod_asks_first_with_the_amount(client, client_vi, service):
    owing = await order_in(service, "wait_for_cod")
    page = await get(client, f"/orders/{owing.id}")
    form = unescape(re.search(r'<form[^>]*actions/collect_cod"[^>]*>', page).group())
    assert f'data-confirm="Collected 330.000 đ COD for order {owing.code}?"' in form
    draft = await order_in(service, "draft")
    cancel = unescape(await get(client, f"/orders/{draft.id}"))
    assert f'actions/cancel" data-confirm="Cancel order {draft.code}?"' in cancel
    debt = unescape(await get(client_vi, "/debt"))
    asked = f"Đã nhận 330.000 đ tiền thu hộ của đơn {owing.code}?"
    assert f'actions/collect_cod" data-confirm="{asked}"' in debt


async def test_the_action_bar_keeps_save_and_the_main_move_in_sight(client, service):
    draft = await order_in(service, "draft")
    body = await get(client, f"/orders/{draft.id}/edit")
    bar = re.search(r'<div class="buttons">.*?</div>\s*</details>', body, re.S).group()
    shown, more = bar.split('<details class="more">')
    assert re.findall(r'value="(\w+)"', shown) == ["save", "create_order"]
    assert re.findall(r'value="(\w+)"', more) == ["send_to_shop", "ship", "cancel"]
    assert "<summary>More</summary>" in more
    assert re.search(r'value="cancel"[^>]*data-confirm="Cancel order', more)

    waiting = await order_in(service, "waiting_for_shipping")
    body = await get(client, f"/orders/{waiting.id}/edit")
    shown = body.split('<div class="buttons">')[1].split('<details class="more">')[0]
    assert re.findall(r'value="(\w+)"', shown) == ["save", "ship"]


async def test_the_favicon_is_served_to_anyone(client):
    page = await get(client, "/")
    svg = unescape(re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)[1])
    async with client.get(svg) as response:
        assert response.status == 200
        assert (await response.text()).startswith("<svg")
    client.session.cookie_jar.clear()  # browsers ask before anyone signs in
    async with client.get("/favicon.ico", allow_redirects=False) as response:
        assert response.status == 200
        assert response.content_type == "image/x-icon"
        icon = await response.read()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file
