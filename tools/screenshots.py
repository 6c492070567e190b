"""Make the README's screenshots (`docs/screenshots/*.png`): the staff pages as a shop sees
them on a phone, in Vietnamese, the default language, after `make run`'s demo.

    .venv/bin/python -m tools.screenshots            # into docs/screenshots
    .venv/bin/python -m tools.screenshots /tmp/shots # or anywhere else

It starts `chotdon serve` in demo mode on a fresh SQLite file in a temporary folder and a free
port (the sample catalog, live and livestream, the demo shop's name), signs in with the login
link the demo prints, takes one order from draft to complete through the JSON API, and drives
Debian's Chromium (`apt-get install chromium`; `CHOTDON_CHROMIUM` points at another build)
with Playwright, which only drives it: no browser is downloaded. The pages' few emoji need a
colour emoji font (`apt-get install fonts-noto-color-emoji`), else they are drawn as boxes.
Each page is shot whole at a phone's width (412 px), at most `MAX_HEIGHT` tall, and stored
with a 256-colour palette, so the images stay small in the repository.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import httpx
from PIL import Image
from playwright.async_api import Page, async_playwright

ROOT: Final = Path(__file__).resolve().parent.parent
OUT: Final = ROOT / "docs" / "screenshots"
VIDEO: Final = "1203456789012345"  # the sample live
VIEWPORT: Final = {"width": 412, "height": 860}
MAX_HEIGHT: Final = 1400
LINK: Final = re.compile(r"Demo: open (http://\S+/login/\S+) ")
DEADLINE_S: Final = 90.0
LAUNCH_ARGS: Final = ("--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHOTDON_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        print("Chromium not found: apt-get install chromium (or set CHOTDON_CHROMIUM).")
        return 1
    with tempfile.TemporaryDirectory() as folder, Service(Path(folder)) as service:
        taken = asyncio.run(shoot(service, chromium, out))
    for path in taken:
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{Image.open(path).size[0]} x {Image.open(path).size[1]}, "
            f"{path.stat().st_size // 1024} KiB"
        )
    return 0


class Service:
    """`chotdon serve` in demo mode, as `make run` starts it, in a folder of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_urlsafe(16)
        self.log = folder / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CHOTDON_", "FACEBOOK_", "TELEGRAM_"))
        } | {
            "CHOTDON_DATABASE_URL": f"sqlite+aiosqlite:///{self.folder / 'chotdon.db'}",
            "CHOTDON_DEMO": "1",
            "CHOTDON_API_TOKEN": self.token,
            "CHOTDON_LANGUAGE": "vi",
        }
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chotdon", "serve", "--port", str(self.port)],
                cwd=self.folder,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def login_link(self) -> str:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            found = LINK.search(self.log.read_text(encoding="utf-8", errors="replace"))
            if found:
                return found.group(1)
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise SystemExit(f"chotdon serve printed no login link:\n{self.log.read_text()}")


async def shoot(service: Service, chromium: str, out: Path) -> list[Path]:
    link = await asyncio.to_thread(service.login_link)
    async with httpx.AsyncClient(
        base_url=service.base, headers={"Authorization": f"Bearer {service.token}"}
    ) as api:
        drafts = await _all_drafts(api)
        unknown = next(o for o in drafts if any(line["sku"] is None for line in o["lines"]))
        done = await _complete_an_order(api)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=list(LAUNCH_ARGS)
        )
        context = await browser.new_context(viewport=VIEWPORT, locale="vi-VN")
        page = await context.new_page()
        await page.goto(link)
        shots = [
            ("orders", "/"),
            ("order-draft", f"/orders/{unknown['id']}"),
            ("order-edit", f"/orders/{unknown['id']}/edit"),
            ("order-complete", f"/orders/{done}"),
            ("comments", f"/live/{VIDEO}/comments"),
            ("debt", "/debt"),
        ]
        taken = []
        for name, path in shots:
            await page.goto(service.base + path)
            taken.append(await _shot(page, out / f"{name}.png"))
        await browser.close()
    return taken


async def _all_drafts(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The sample live's drafts, once the demo's replay has made them all."""
    expected = json.loads((ROOT / "samples" / "livestream.expected.json").read_text("utf-8"))
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer = await api.get("/api/orders", params={"status": "draft", "limit": 200})
        found: list[dict[str, Any]] = answer.json()["orders"]
        if len(found) >= len(expected["drafts"]):
            return found
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(found)} drafts after {DEADLINE_S} s")
        await asyncio.sleep(0.5)


async def _complete_an_order(api: httpx.AsyncClient) -> int:
    """An order taken by phone, created, shipped with a shipper, delivered and its COD
    collected: the page of a finished order, with its whole history."""
    answer = await api.post(
        "/api/orders",
        json={
            "customer": {
                "name": "Nguyễn Thị Hoa",
                "phone": "0912345678",
                "address": "12 Lý Thường Kiệt",
                "ward": "Phường Cửa Nam",
                "province": "Hà Nội",
            },
            "lines": [{"code": "A1", "quantity": 2}],
            "shipping_fee": 30000,
        },
    )
    order = answer.json()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("create_order", {}),
        (
            "ship",
            {"carrier": "individual", "shipper_name": "Anh Tuấn", "shipper_phone": "0987654321"},
        ),
        ("complete", {}),
        ("collect_cod", {}),
    ]
    for action, fields in steps:
        answer = await api.post(
            f"/api/orders/{order['id']}/actions/{action}",
            json={"version": order["version"], **fields},
        )
        if answer.status_code != 200:
            raise SystemExit(f"{action}: {answer.status_code} {answer.text}")
        order = answer.json()
    return int(order["id"])


async def _shot(page: Page, path: Path) -> Path:
    """The whole page in a window as tall as it (bars stuck to the bottom drawn there), cut
    at `MAX_HEIGHT`, in a 256-colour palette."""
    height = await page.evaluate("document.documentElement.scrollHeight")
    tall = min(max(height, VIEWPORT["height"]), MAX_HEIGHT)
    await page.set_viewport_size({"width": VIEWPORT["width"], "height": tall})
    await page.screenshot(path=str(path), animations="disabled", caret="hide")
    await page.set_viewport_size(VIEWPORT)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
