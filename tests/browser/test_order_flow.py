"""One order from a livestream comment to complete, in the browser, as staff would do it: sign
in with a login link, open the draft whose code the live does not know, pick the item, fill
the address with the pickers, create the order, ship it with an individual shipper, complete
it and collect its COD; the list's counts follow. A screenshot of each screen on the way.

Labels come from the pages' own word table (`staff_web.strings`), so the test reads the page
as a person does (roles, labels, visible text) without copying its wording."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect
from sqlalchemy import func, select

from application import web_logins as auth
from chotdon import demo
from chotdon.cli_live import post_comments
from kernel.outbox.jobs import OutboxJob
from kernel.work_status import WorkStatus
from livestream.simulate import SimulatedComment
from orders.addresses import provinces, wards
from orders.tables import Order
from staff_web.strings import labels
from tests.browser.conftest import PAGE_ID, SECRET, Served
from tests.browser.support import Screens
from tests.helpers import eventually

t = labels("en")
VIDEO = "1203456789012345"  # the sample live, which `demo.seed_if_empty` opens
UNKNOWN_BUYER = "Đặng Thanh Hương"
PICKED_SKU = "TUI-XACH-MINI"  # what the buyer meant by "Z9": the mini handbag, 190,000 đ
PROVINCE = "Thành phố Hà Nội"
WARD = "Phường Hoàn Kiếm"


def comment(n: int, buyer: str, name: str, message: str) -> SimulatedComment:
    return SimulatedComment(VIDEO, f"{VIDEO}_{n}", buyer, name, message, 1_773_489_600 + n)


COMMENTS = [
    comment(1, "5000000000047514", UNKNOWN_BUYER, "Z9 2"),  # a code this live does not have
    comment(2, "5000000000007919", "Trần Ngọc Lan", "A1 2 0912345678"),
    comment(3, "5000000000015838", "Lê Thu Trang", "B3 1"),
]


async def livestream_drafts(served: Served) -> str:
    """The demo's catalog, live and manager, the comments through the signed webhook, and a
    login link for the manager once the drafts are there."""
    sessions = served.runtime.sessions
    async with sessions.begin() as session:
        assert await demo.seed_if_empty(session)
    tally = await post_comments(COMMENTS, served.url("/webhooks/facebook"), SECRET, PAGE_ID, 1)
    assert (tally.accepted, tally.refused) == (len(COMMENTS), 0), tally.first_refusal

    async def drafts() -> bool:
        async with sessions() as session:
            count = await session.scalar(select(func.count()).select_from(Order))
        return count == len(COMMENTS)

    await eventually(drafts, "a draft for each buyer")
    async with sessions.begin() as session:
        token = await auth.issue_login_link(session, demo.DEMO_TELEGRAM_ID)
    return auth.login_url(served.base, token)


def code_of(options: list[tuple[int, str]], name: str) -> str:
    return str(dict((label, code) for code, label in options)[name])


async def expect_counts(page: Page, **counts: int) -> None:
    for status, count in counts.items():
        await expect(page.locator(f".tabs .count[data-tab='{status}']")).to_have_text(str(count))


async def expect_status(page: Page, status: str) -> None:
    await expect(page.locator(".card h1 .status")).to_have_text(t[f"status.{status}"])


async def test_an_order_from_unknown_code_to_complete(
    page: Page, served: Served, screens: Screens
) -> None:
    link = await livestream_drafts(served)

    # Signed in by the link: the orders list, three drafts, nothing complete yet.
    await page.goto(link)
    await expect(page).to_have_url(served.url("/"))
    await expect_counts(page, all=3, draft=3, complete=0)
    row = page.locator("a.row").filter(has_text=UNKNOWN_BUYER)
    await expect(row.get_by_text(t["list.unknown_code"])).to_be_visible()
    await screens.shot(page, "orders")

    # The draft: its Z9 line is marked as a code the live does not know.
    await row.click()
    await expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    order_url = page.url
    await expect_status(page, "draft")
    await expect(page.get_by_text(t["order.unknown_code"])).to_be_visible()
    await screens.shot(page, "order-draft")

    # Edit: pick the item for Z9, the phone, the address from the pickers.
    await page.get_by_role("link", name=t["action.edit"], exact=True).click()
    await expect(page).to_have_url(f"{order_url}/edit")
    await page.locator(".line.unknown").get_by_label(t["edit.item"]).select_option(PICKED_SKU)
    await page.get_by_label(t["edit.phone"], exact=True).fill("0987 654 321")
    province = code_of(provinces(), PROVINCE)
    await page.get_by_label(t["edit.province"]).select_option(province)
    ward = page.get_by_label(t["edit.ward"])
    await ward.select_option(code_of(wards(int(province)), WARD))  # filled by the page's script
    await page.get_by_label(t["edit.street"]).fill("12 Hàng Bạc")
    await screens.shot(page, "order-edit")

    # Create order: saved and moved on in one tap.
    await page.get_by_role("button", name=t["action.create_order"], exact=True).click()
    await expect(page).to_have_url(re.compile(re.escape(order_url) + r"\?done=create_order$"))
    await expect_status(page, "waiting_for_shipping")
    card = page.locator(".card")
    await expect(card).to_contain_text("Túi xách mini")
    await expect(card).to_contain_text("0987654321")
    await expect(card).to_contain_text(f"12 Hàng Bạc, {WARD}")
    await expect(card).to_contain_text(PROVINCE)
    await screens.shot(page, "order-created")

    # Ship with an individual shipper, typed once.
    await page.get_by_role("link", name=t["action.ship"], exact=True).click()
    await page.get_by_label(t["edit.individual"]).check()
    await page.get_by_label(t["edit.shipper_name"]).fill("Anh Tuấn")
    await page.get_by_label(t["edit.shipper_phone"]).fill("0903 111 222")
    await screens.shot(page, "ship")
    await page.get_by_role("button", name=t["action.ship"], exact=True).click()
    await expect(page).to_have_url(re.compile(re.escape(order_url) + r"\?done=ship$"))
    await expect_status(page, "shipping")
    await expect(card).to_contain_text("Anh Tuấn")

    # The live's comments, with the one that made this order.
    await page.goto(served.url(f"/live/{VIDEO}/comments"))
    await expect(page.locator("main")).to_contain_text(UNKNOWN_BUYER)
    await screens.shot(page, "comments")
    await page.goto(order_url)

    # Delivered: complete, and the COD the shipper brings back is collected.
    await page.get_by_role("button", name=t["action.complete"], exact=True).click()
    await expect_status(page, "wait_for_cod")
    # The shipper owes the COD now; it is collected from the debt page.
    await page.goto(served.url("/debt"))
    await expect(page.locator("main")).to_contain_text("Anh Tuấn")
    await screens.shot(page, "debt")
    asked: list[str] = []

    async def yes(dialog) -> None:  # Collect COD asks first, with the amount
        asked.append(dialog.message)
        await dialog.accept()

    page.once("dialog", yes)
    await page.get_by_role("button", name=t["action.collect_cod"], exact=True).click()
    await expect(page).to_have_url(re.compile(r"/debt"))
    await expect(page.locator("main")).not_to_contain_text("Anh Tuấn")
    assert len(asked) == 1 and asked[0].startswith("Collected ")
    await page.goto(order_url)
    await expect_status(page, "complete")
    await expect(page.locator(".history")).to_contain_text(t["status.complete"])
    await screens.shot(page, "order-complete")

    # Back on the list, the counts have moved.
    await page.get_by_role("link", name=t["nav.orders"], exact=True).click()
    await expect(page).to_have_url(served.url("/"))
    await expect_counts(page, all=3, draft=2, complete=1)
    await screens.shot(page, "orders-after")
    assert [path.name for path in screens.taken] == [
        "orders.png",
        "order-draft.png",
        "order-edit.png",
        "order-created.png",
        "ship.png",
        "comments.png",
        "debt.png",
        "order-complete.png",
        "orders-after.png",
    ]

    async def side_effects_ran() -> bool:  # the outbox worker took every job the taps queued
        async with served.runtime.sessions() as session:
            statuses = list(await session.scalars(select(OutboxJob.status)))
        return bool(statuses) and set(statuses) <= {WorkStatus.DONE, WorkStatus.SKIPPED}

    await eventually(side_effects_ran, "the outbox worker handles what the taps queued")
