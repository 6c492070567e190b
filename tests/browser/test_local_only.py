"""The guard the browser tests stand on: a page's request off this machine is refused and
remembered, so a page that reaches for the internet fails its test instead of passing by luck."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.support import LocalOnly

OUTSIDE = "http://example.com/pixel.png"


async def test_a_request_off_this_machine_is_refused_and_remembered(
    page: Page, local_only: LocalOnly
) -> None:
    async with page.expect_event("requestfailed") as failed:
        await page.set_content(f'<img src="{OUTSIDE}" alt="">')
    assert (await failed.value).url == OUTSIDE
    assert local_only.attempted == [OUTSIDE]
    local_only.attempted.clear()  # seen: the fixture's own check would fail this test
