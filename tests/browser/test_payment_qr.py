"""Asking a buyer to pay by transfer, in the browser: staff open an order, choose "Bank
transfer" in its payment box and save, and the page shows a VietQR code that a phone's camera
reads back as the order's payload (the amount due and the order code as the memo), with the
account written beside it. Then the money is recorded by hand and the code goes away.

Labels come from the pages' own word table (`staff_web.strings`)."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import Page, expect

from application import web_logins as auth
from application.wording.labels import payment_label
from chotdon.app import create_app
from orders.staff import add_staff
from orders.vietqr import BankAccount, fields_of, order_qr
from staff_web.strings import labels
from tests.browser.conftest import Served
from tests.browser.support import Screens
from tests.conftest import make_settings
from tests.factories import draft, seed_items
from tests.helpers import free_port

t = labels("en")
STAFF_ID = 777_000_222
BANK = BankAccount("970436", "0011223344", "NGUYEN THI LAN")


@pytest.fixture
async def banked(aiohttp_server, sqlite_url: str) -> Served:
    """The service with the shop's bank account set, on a real socket."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = make_settings(
        sqlite_url,
        public_url=base,
        language="en",
        bank_bin=BANK.bin,
        bank_account=BANK.account,
        bank_account_name=BANK.name,
    )
    app = create_app(settings, run_worker=True, run_inbox=True, run_bot=False)
    await aiohttp_server(app, host="127.0.0.1", port=port)
    return Served(app, base)


async def test_choosing_transfer_shows_a_code_a_banking_app_reads(
    page: Page, banked: Served, screens: Screens, tmp_path
) -> None:
    orders = banked.runtime.orders
    await seed_items(banked.runtime.sessions)
    order = await draft(orders)
    async with banked.runtime.sessions.begin() as session:
        await add_staff(session, STAFF_ID, "Lan", "sales")
        token = await auth.issue_login_link(session, STAFF_ID)
    await page.goto(auth.login_url(banked.base, token))
    await page.goto(banked.url(f"/orders/{order.id}"))

    box = page.locator("section.payment-box")
    await expect(box.locator(".payment-method")).to_have_text(payment_label("cod", "en"))
    await expect(box.locator("[data-vietqr] svg")).to_have_count(0)
    await box.get_by_label(payment_label("transfer", "en")).check()
    await box.get_by_role("button", name=t["pay.save_method"]).click()
    await expect(page.get_by_role("status")).to_have_text(t["done.payment_method"])
    await expect(box.locator(".payment-method")).to_have_text(payment_label("transfer", "en"))
    code = box.locator("[data-vietqr] svg")
    await expect(code).to_be_visible()
    await expect(box.locator("code.memo")).to_have_text(order.code)
    await screens.shot(page, "order-vietqr")

    shot = tmp_path / "qr.png"
    await code.screenshot(path=str(shot))
    read = zxingcpp.read_barcodes(Image.open(shot))
    assert len(read) == 1
    now = await orders.detail(order.id)
    assert read[0].text == order_qr(BANK, now)
    assert fields_of(read[0].text)["54"] == str(now.total)

    await box.get_by_label(t["pay.record_amount"]).fill(f"{now.total // 1000}k")
    await box.get_by_role("button", name=t["pay.record"], exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(t["done.record_payment"])
    await expect(box.locator(".settled")).to_be_visible()
    await expect(code).to_have_count(0)
