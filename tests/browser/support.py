"""What the browser tests share that is not a fixture: where Chromium is, how it starts, the
guard that keeps every request on this machine, and where screenshots go."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from playwright.async_api import Page, Route

from tests.helpers import DEADLINE_S

ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_CHROMIUM: Final = "/usr/bin/chromium"
INSTALL_HINT: Final = (
    "install Debian's chromium package (apt-get install chromium) to run the browser tests"
)
# As root Chromium needs --no-sandbox; the rest keep it from calling Google's hosts (update
# checks, sync, field trials), which this machine's closed network refuses.
LAUNCH_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
)
LOCAL_HOSTS: Final = frozenset({"127.0.0.1"})
# A phone, held upright: where staff use the pages (the Telegram Mini App) most.
VIEWPORT: Final = {"width": 412, "height": 860}
# One step waits as long as any wait of the suite: a loaded 2-core machine once took more than
# 10 s to fill the ward list.
TIMEOUT_MS: Final = int(DEADLINE_S * 1000)


def chromium_path() -> str:
    """`CHOTDON_CHROMIUM`, else `chromium` on the PATH, else Debian's path."""
    return os.environ.get("CHOTDON_CHROMIUM") or shutil.which("chromium") or DEFAULT_CHROMIUM


def browser_required() -> bool:
    """In CI (and wherever asked) a missing Chromium fails the run instead of skipping it."""
    return bool(os.environ.get("CI") or os.environ.get("CHOTDON_REQUIRE_BROWSER"))


@dataclass
class LocalOnly:
    """Every request the browser makes stays on 127.0.0.1: anything else is refused at once
    and remembered, and the test fails."""

    attempted: list[str] = field(default_factory=list)

    async def route(self, route: Route) -> None:
        url = route.request.url
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob") or urlsplit(url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            self.attempted.append(url)
            await route.abort("blockedbyclient")


class Screens:
    """A screenshot of each screen: into `CHOTDON_SCREENSHOTS` (`docs/screenshots` makes the
    README's), else beside the test's other files."""

    def __init__(self, fallback: Path) -> None:
        chosen = os.environ.get("CHOTDON_SCREENSHOTS")
        self.folder = (ROOT / chosen) if chosen else fallback
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    async def shot(self, page: Page, name: str) -> Path:
        path = self.folder / f"{name}.png"
        # The whole page in a window as tall as it, so bars stuck to the window's top or
        # bottom are drawn there, not wherever the phone's screen happened to end.
        size = page.viewport_size or VIEWPORT
        height = await page.evaluate("document.documentElement.scrollHeight")
        await page.set_viewport_size(
            {"width": size["width"], "height": max(height, size["height"])}
        )
        try:
            await page.screenshot(path=str(path), animations="disabled", caret="hide")
        finally:
            await page.set_viewport_size(size)
        self.taken.append(path)
        return path
