"""The comments page during a live, in the browser: a comment that arrives while staff look at
it goes on top of the list by itself, without the page reloading (what they typed or scrolled
to stays), with the order it made."""

from __future__ import annotations

from playwright.async_api import Page, expect

from chotdon.cli_live import post_comments
from staff_web.strings import labels
from tests.browser.conftest import PAGE_ID, SECRET, Served
from tests.browser.test_order_flow import VIDEO, comment, livestream_drafts

t = labels("en")
NEWCOMER = "Phạm Minh Thư"


async def test_a_new_comment_appears_on_top_without_a_reload(page: Page, served: Served) -> None:
    link = await livestream_drafts(served)  # the sample live, open, with three comments
    await page.goto(link)
    await page.goto(served.url(f"/live/{VIDEO}/comments"))
    items = page.locator("ol.comments > li")
    await expect(items).to_have_count(3)
    await expect(page.get_by_text(t["live.following"])).to_be_visible()
    await expect(items.first.locator(".message")).to_have_text("B3 1")  # the newest first
    await page.evaluate("window.stillTheSamePage = true")

    late = [comment(4, "5000000000099991", NEWCOMER, "A2 1 0903111222 giao 5 Lê Lợi Q1")]
    tally = await post_comments(late, served.url("/webhooks/facebook"), SECRET, PAGE_ID, 1)
    assert (tally.accepted, tally.refused) == (1, 0), tally.first_refusal

    await expect(items).to_have_count(4)
    top = items.first
    await expect(top.locator(".from")).to_have_text(NEWCOMER)
    await expect(top.locator(".message")).to_have_text("A2 1 0903111222 giao 5 Lê Lợi Q1")
    await expect(top.locator(".address")).to_contain_text("5 Lê Lợi Q1")
    await expect(top.locator(".order-link")).to_be_visible()  # the draft it made
    assert await page.evaluate("window.stillTheSamePage === true")  # no reload
