"""Many orders at once in the browser, as staff do it after a live: tick "all of this tab" on
the orders list (more orders than one page shows), create them all, and watch the batch's
progress bar fill on its page without a reload, then read what was done and what was refused.

Labels come from the pages' own word table (`staff_web.strings`)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from application import web_logins as auth
from orders.staff import add_staff
from staff_web.strings import labels
from tests.browser.conftest import Served
from tests.browser.support import TIMEOUT_MS, Screens
from tests.factories import draft, order_in, seed_items

t = labels("en")
MANAGER = 777_000_111
DRAFTS = 45  # three pages of the list; two of A1 each, and the catalog holds 100 A1


async def signed_in_link(served: Served) -> str:
    async with served.runtime.sessions.begin() as session:
        await add_staff(session, MANAGER, "Hạnh", "manager")
        token = await auth.issue_login_link(session, MANAGER)
    return auth.login_url(served.base, token)


async def test_select_all_of_a_tab_and_follow_the_batch_to_its_end(
    page: Page, served: Served, screens: Screens
) -> None:
    orders = served.runtime.orders
    await seed_items(served.runtime.sessions)
    for _ in range(DRAFTS - 1):
        await draft(orders)
    shipped = await order_in(orders, "shipping")  # in the "All" tab, but past creating
    link = await signed_in_link(served)
    total = DRAFTS

    await page.goto(link)
    await expect(page).to_have_url(served.url("/"))
    boxes = page.locator("input[name=ids]")
    await expect(boxes).to_have_count(20)  # one page shown
    first_two = [boxes.nth(0), boxes.nth(1)]
    for box in first_two:
        await box.check()
    selected = page.locator("[data-selected]")
    await expect(selected).to_have_text(t["batch.selected"].format(count=2))
    await page.get_by_label(t["batch.select_all"].format(count=total)).check()
    await expect(selected).to_have_text(t["batch.selected"].format(count=total))
    await expect(boxes.nth(19)).to_be_checked()
    await screens.shot(page, "batch-selected")

    await page.get_by_role("button", name=t["action.create_order"], exact=True).click()
    await expect(page).to_have_url(re.compile(r"/batches/\d+$"))
    # Marked now: a reload would lose it, so seeing it at the end proves the page followed
    # the batch by itself.
    await page.evaluate("window.sameBatchPage = true")
    state = page.locator("#batch-state")
    done = t["batch.finished"].format(ok=total - 1, refused=1)
    await expect(state).to_have_text(done, timeout=TIMEOUT_MS)
    bar = page.locator("#batch-progress")
    await expect(bar).to_have_attribute("max", str(total))
    assert await bar.evaluate("bar => bar.value") == total
    assert await page.evaluate("window.sameBatchPage === true")
    await expect(page.locator("#batch-ok li")).to_have_count(total - 1)
    refused = page.locator("#batch-refused li")
    await expect(refused).to_have_count(1)
    await expect(refused).to_contain_text(str(shipped.code))
    await expect(refused).to_contain_text(t["status.shipping"])
    await screens.shot(page, "batch-done")

    await page.goto(served.url("/"))
    await expect(page.locator(".tabs .count[data-tab='waiting_for_shipping']")).to_have_text(
        str(total - 1)
    )
