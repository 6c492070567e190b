"""The edit page on a phone, in the browser: the action bar is one row with the rarer actions
under "More" (which opens, and whose Cancel asks first), the ward picker filters as staff
type (accents optional), and typing a shipper's name ticks "individual shipper"."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from application import web_logins as auth
from chotdon import demo
from orders.actors import Actor, Source
from orders.addresses import provinces
from orders.changes import LineInput
from orders.drafts import Buyer, NewOrder
from staff_web.strings import labels
from tests.browser.conftest import Served
from tests.browser.support import Screens

t = labels("en")
STAFF = Actor(Source.STAFF, "Demo")
BUYER = Buyer(
    name="Đặng Thanh Hương",
    phone="0912345678",
    street="12 Hàng Bạc",
    ward="Phường Hoàn Kiếm",
    province="Thành phố Hà Nội",
)
PROVINCE = "Thành phố Hà Nội"


async def signed_in_draft(page: Page, served: Served) -> int:
    """The demo's catalog and manager, one draft, and the browser signed in."""
    async with served.runtime.sessions.begin() as session:
        assert await demo.seed_if_empty(session)
    new = NewOrder(buyer=BUYER, lines=[LineInput(quantity=1, sku="TUI-XACH-MINI")])
    order = await served.runtime.orders.create_draft(new, STAFF)
    async with served.runtime.sessions.begin() as session:
        token = await auth.issue_login_link(session, demo.DEMO_TELEGRAM_ID)
    await page.goto(auth.login_url(served.base, token))
    await expect(page).to_have_url(served.url("/"))
    return order.id


async def test_the_action_bar_is_one_row_with_a_more_menu(
    page: Page, served: Served, screens: Screens
) -> None:
    order_id = await signed_in_draft(page, served)
    await page.goto(served.url(f"/orders/{order_id}/edit"))
    bar = page.locator(".buttons")
    save = bar.get_by_role("button", name=t["edit.save_draft"], exact=True)
    create = bar.get_by_role("button", name=t["action.create_order"], exact=True)
    more = bar.locator("summary", has_text=t["edit.more"])
    for shown in (save, create, more):
        await expect(shown).to_be_visible()
    tops = {round((await shown.bounding_box())["y"]) for shown in (save, create, more)}
    assert len(tops) == 1, f"the bar takes {len(tops)} rows"
    box = await bar.bounding_box()
    assert box["height"] < 80  # one row of buttons on a 412 px wide phone
    cancel = bar.get_by_role("button", name=t["action.cancel"], exact=True)
    await expect(cancel).to_be_hidden()

    await more.click()
    await expect(cancel).to_be_visible()
    await expect(bar.get_by_role("button", name=t["action.ship"], exact=True)).to_be_visible()
    await screens.shot(page, "edit-more")
    asked: list[str] = []

    async def no(dialog) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", no)
    await cancel.click()
    await expect(page).to_have_url(served.url(f"/orders/{order_id}/edit"))
    assert asked == [f"Cancel order {(await served.runtime.orders.detail(order_id)).code}?"]
    assert (await served.runtime.orders.detail(order_id)).status == "draft"


async def test_the_ward_picker_filters_as_staff_type(page: Page, served: Served) -> None:
    order_id = await signed_in_draft(page, served)
    await page.goto(served.url(f"/orders/{order_id}/edit"))
    province = str(dict((name, code) for code, name in provinces())[PROVINCE])
    await page.get_by_label(t["edit.province"]).select_option(province)
    ward = page.locator("select[name=ward]")
    await expect(ward.locator("option")).to_have_count(127)  # Hà Nội's 126 wards and the hint
    names = await ward.locator("option").all_inner_texts()
    assert names.index("Phường Ba Đình") < names.index("Phường Bạch Mai")

    search = page.get_by_label(t["edit.ward_filter"])
    await search.fill("hoan kiem")  # without accents
    await expect(ward.locator("option")).to_have_count(2)
    await expect(ward).to_have_value(re.compile(r"\d+"))  # the only one left is chosen
    assert (await ward.locator("option:checked").inner_text()) == "Phường Hoàn Kiếm"
    await search.fill("")
    await expect(ward.locator("option")).to_have_count(127)
    assert (await ward.locator("option:checked").inner_text()) == "Phường Hoàn Kiếm"


async def test_typing_a_shippers_name_ticks_the_individual_shipper(
    page: Page, served: Served
) -> None:
    order_id = await signed_in_draft(page, served)
    await page.goto(served.url(f"/orders/{order_id}/edit#ship"))
    individual = page.get_by_label(t["edit.individual"])
    await expect(individual).not_to_be_checked()
    await page.get_by_label(t["edit.shipper_name"]).fill("Anh Tuấn")
    await expect(individual).to_be_checked()
    await page.get_by_label(t["edit.shipper_phone"]).fill("12")  # not a phone

    await page.locator(".more summary").click()
    await page.get_by_role("button", name=t["action.ship"], exact=True).click()

    # Refused: the page opens at the shipper's phone, with the message beside it.
    phone = page.get_by_label(t["edit.shipper_phone"])
    await expect(phone).to_be_focused()
    await expect(phone).to_be_in_viewport()
    await expect(page.locator("#error-shipper_phone")).to_be_in_viewport()
    await expect(individual).to_be_checked()
    await phone.fill("0903 111 222")
    await page.locator(".more summary").click()
    await page.get_by_role("button", name=t["action.ship"], exact=True).click()
    await expect(page).to_have_url(re.compile(rf"/orders/{order_id}\?done=ship$"))
    await expect(page.locator(".card")).to_contain_text("Anh Tuấn")
