"""Browser fixtures: Chromium (or a clear skip, or in CI a failure), the service on a real
socket with its workers running, and a page whose requests cannot leave 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright

from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from tests.browser.support import (
    INSTALL_HINT,
    LAUNCH_ARGS,
    TIMEOUT_MS,
    VIEWPORT,
    LocalOnly,
    Screens,
    browser_required,
    chromium_path,
)
from tests.conftest import make_settings
from tests.helpers import free_port

SECRET = "browser-test-secret"
PAGE_ID = "100000000000001"


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    reason = f"Chromium not found at {path}: {INSTALL_HINT}"
    if browser_required():
        pytest.fail(f"{reason} (CI or CHOTDON_REQUIRE_BROWSER is set: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=list(LAUNCH_ARGS)
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Served:
    """The service under test, listening on 127.0.0.1."""

    app: web.Application
    base: str

    @property
    def runtime(self):
        return self.app[RUNTIME]

    def url(self, path: str = "/") -> str:
        return self.base + path


@pytest.fixture
async def served(aiohttp_server, sqlite_url: str) -> Served:
    """The whole service as `chotdon serve` runs it in one process: pages, webhooks, inbox
    processor and outbox worker (so actions' side effects run), no Telegram bot."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = make_settings(
        sqlite_url,
        public_url=base,
        facebook_app_secret=SECRET,
        facebook_page_id=PAGE_ID,
        language="en",
    )
    app = create_app(settings, run_worker=True, run_inbox=True, run_bot=False)
    await aiohttp_server(app, host="127.0.0.1", port=port)
    return Served(app, base)


@pytest.fixture
def local_only() -> LocalOnly:
    return LocalOnly()


@pytest.fixture
async def page(browser: Browser, local_only: LocalOnly) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    await context.route("**/*", local_only.route)
    try:
        yield await context.new_page()
    finally:
        await context.close()
    if local_only.attempted:
        pytest.fail(f"the page tried to leave 127.0.0.1: {local_only.attempted}")


@pytest.fixture
def screens(tmp_path: Path) -> Screens:
    return Screens(tmp_path / "screenshots")
