"""The orders list's Excel export in the browser, as staff use it: open a tab, press "Export
to Excel", and get a file (a download, not a page) holding every order of that tab, more than
the page shows, readable by a spreadsheet.

Labels come from the pages' own word table (`staff_web.strings`)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect

from staff_web.strings import labels
from tests.browser.conftest import Served
from tests.browser.support import Screens
from tests.browser.test_batch import signed_in_link
from tests.factories import draft, order_in, seed_items
from tests.unit.test_orders_xlsx import read_book

t = labels("en")
DRAFTS = 23  # more than the 20 a page shows


async def test_the_export_button_downloads_every_order_of_the_tab(
    page: Page, served: Served, screens: Screens, tmp_path: Path
) -> None:
    orders = served.runtime.orders
    await seed_items(served.runtime.sessions)
    drafts = [await draft(orders) for _ in range(DRAFTS)]
    await order_in(orders, "waiting_for_shipping")  # another tab

    await page.goto(await signed_in_link(served))
    await page.get_by_role("link", name=re.compile(f"^{t['status.draft']} ")).click()
    await expect(page).to_have_url(served.url("/?status=draft"))
    export = page.get_by_role("link", name=t["xlsx.export"])
    await expect(export).to_have_attribute("title", t["xlsx.export_title"].format(count=DRAFTS))
    await screens.shot(page, "orders-export")

    async with page.expect_download() as waiting:
        await export.click()
    download = await waiting.value
    assert re.fullmatch(r"don-hang-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    orders_sheet, lines_sheet = read_book(saved.read_bytes())
    assert orders_sheet.title == "Orders" and orders_sheet.headings[:2] == ["Order code", "Status"]
    assert [row[0].value for row in orders_sheet.rows] == [o.code for o in drafts[::-1]]
    assert set(orders_sheet.values("Status")) == {"Draft"}
    assert len(lines_sheet.rows) == DRAFTS
    await expect(page).to_have_url(served.url("/?status=draft"))  # still on the list
