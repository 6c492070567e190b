"""Demo mode, as `make run` starts it on a fresh machine: the real app on a real socket, the
sample livestream replayed through the signed Facebook webhook, drafts out, a login link on
the console. On SQLite only: demo mode is the embedded default's business."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from sqlalchemy import func, select

from chotdon import demo
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from chotdon.settings import Settings
from kernel.database import create_engine, session_factory
from kernel.inbox.tables import InboxMessage
from orders.tables import Item, Order, Staff
from staff_web.deps import PAGES
from tests.conftest import API_TOKEN, make_settings
from tests.e2e.test_serve import serving
from tests.helpers import eventually, free_port

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EXPECTED = json.loads((SAMPLES / "livestream.expected.json").read_text(encoding="utf-8"))
LINK = re.compile(r"^Demo: open (http://127\.0\.0\.1:\d+/login/\S+) \(valid 15 minutes, once\)")
DEADLINE_S = 60.0


@pytest.fixture
def no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """`prepare` writes the made-up secret and Page id into the environment for the worker
    child: set them here first so the test's end puts the environment back as it was."""
    for name in ("FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ID", *(v for _, v, _ in demo.DEMO_SHOP)):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)


class Console:
    """What the demo printed so far, read from pytest's capture as it grows."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.text = ""

    def lines(self) -> list[str]:
        self.text += self.capsys.readouterr().out
        return self.text.splitlines()

    async def link(self, app: web.Application) -> str:
        async def printed() -> str | None:
            found = [m for m in map(LINK.match, self.lines()) if m]
            if not found and app[demo.REPLAY].done():
                pytest.fail("the demo finished without printing a login link (see the log)")
            return found[-1].group(1) if found else None

        return await eventually(printed, "the login link is printed", deadline_s=DEADLINE_S)


async def start(aiohttp_server, settings: Settings) -> tuple[str, web.Application]:
    port = free_port()
    base = demo.listening_url("0.0.0.0", port)
    settings = demo.prepare(settings, base)
    app = create_app(settings, run_bot=False)
    demo.setup(app, base)
    await aiohttp_server(app, host="127.0.0.1", port=port)
    return base, app


async def drafts(base: str) -> list[dict]:
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{base}/api/orders",
            params={"status": "draft", "limit": 200},
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
    assert response.status_code == 200, response.text
    return response.json()["orders"]


async def test_a_fresh_database_gets_the_sample_live_through_signed_webhooks(
    aiohttp_server, sqlite_url, capsys, no_secret
):
    settings = make_settings(sqlite_url, demo=True)
    assert settings.facebook_app_secret is None
    console = Console(capsys)
    base, app = await start(aiohttp_server, settings)
    runtime = app[RUNTIME]
    assert runtime.settings.facebook_app_secret  # made up for this process: the check runs

    link = await console.link(app)
    assert link.startswith(f"{base}/login/")
    replayed = next(line for line in console.lines() if "replayed" in line)
    assert "424 signed Facebook webhooks (0 refused)" in replayed

    async def all_drafts() -> list[dict] | None:
        found = await drafts(base)
        return found if len(found) == len(EXPECTED["drafts"]) else None

    found = await eventually(all_drafts, "a draft per buyer who ordered", deadline_s=DEADLINE_S)
    assert {o["customer"]["facebook_id"] for o in found} == set(EXPECTED["drafts"])
    assert {o["source"] for o in found} == {"livestream"}
    async with runtime.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(InboxMessage))
        staff = list(await session.scalars(select(Staff)))
        items = await session.scalar(select(func.count()).select_from(Item))
    assert stored == EXPECTED["comments"]  # each comment came in through the webhook
    assert [(s.telegram_id, s.name, s.role) for s in staff] == [
        (demo.DEMO_TELEGRAM_ID, "Demo", "manager")
    ]
    assert items == 8

    async with httpx.AsyncClient(follow_redirects=True) as browser:
        signed_in = await browser.get(link)
        assert signed_in.status_code == 200, signed_in.text
        assert str(signed_in.url) == f"{base}/"
        # The list shows the drafts: those with items (a draft its buyer emptied by a cancel
        # keeps to the "Nháp trống" tab).
        newest = max((o for o in found if o["lines"]), key=lambda order: order["id"])
        assert newest["customer"]["name"] in signed_in.text
        assert "Shop Chốt Đơn (demo)" in signed_in.text  # the pages name the demo shop
        bill = await browser.get(f"{base}/orders/{newest['id']}/bill.png")
        assert bill.status_code == 200 and bill.headers["Content-Type"] == "image/png"
    # What bills and shipping notes print as the sender, and what carriers are told.
    shop = app[PAGES].printing.shop
    assert (shop.name, shop.phone, shop.address) == (
        "Shop Chốt Đơn (demo)",
        "0901234567",
        "12 Lý Tự Trọng, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    )
    async with httpx.AsyncClient() as stranger:
        assert (await stranger.get(link)).status_code == 403  # once only


async def test_a_database_in_use_only_gets_a_fresh_link(
    aiohttp_server, sqlite_url, capsys, no_secret
):
    settings = make_settings(sqlite_url, demo=True)
    engine = create_engine(sqlite_url)
    try:
        async with session_factory(engine).begin() as session:
            assert await demo.seed_if_empty(session)
            assert not await demo.seed_if_empty(session)  # not twice
    finally:
        await engine.dispose()
    console = Console(capsys)
    _, app = await start(aiohttp_server, settings)

    await console.link(app)
    assert not any("replayed" in line for line in console.lines())
    async with app[RUNTIME].sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxMessage)) == 0
        assert await session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_shops_own_name_phone_and_address_win_over_the_demos(sqlite_url, no_secret):
    settings = make_settings(
        sqlite_url, demo=True, shop_name="Tiệm Hoa", shop_phone="0912345678", shop_address=""
    )
    prepared = demo.prepare(settings, "http://127.0.0.1:9999")
    assert (prepared.shop_name, prepared.shop_phone) == ("Tiệm Hoa", "0912345678")
    assert prepared.shop_address == demo.DEMO_SHOP[2][2]  # only what was left empty


def test_without_demo_mode_nothing_changes(sqlite_url):
    settings = make_settings(sqlite_url)
    assert settings.demo is False
    assert demo.prepare(settings, "http://127.0.0.1:9999") is settings


async def test_chotdon_serve_in_demo_mode_as_make_run_starts_it(tmp_path: Path):
    """The real command in its own process (web process and worker child), on a new SQLite
    file, with nothing configured but `CHOTDON_DEMO=1`: `make run` on a fresh machine."""
    database = tmp_path / "chotdon.db"
    url = f"sqlite+aiosqlite:///{database}"
    with serving(
        tmp_path, CHOTDON_DATABASE_URL=url, CHOTDON_DEMO="1", CHOTDON_API_TOKEN=API_TOKEN
    ) as server:

        async def printed() -> str | None:
            if server.process.poll() is not None:
                pytest.fail(f"chotdon serve exited:\n{server.log.read_text()}")
            found = [m for m in map(LINK.match, server.log.read_text().splitlines()) if m]
            return found[0].group(1) if found else None

        link = await eventually(printed, "the login link is printed", deadline_s=DEADLINE_S)
        assert link.startswith(f"{server.base_url}/login/")

        async def all_drafts() -> bool:
            return len(await drafts(server.base_url)) == len(EXPECTED["drafts"])

        await eventually(all_drafts, "the sample's drafts", deadline_s=DEADLINE_S)
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            assert (await browser.get(link)).status_code == 200
        assert server.stop() == 0
    assert "Traceback" not in server.log.read_text()


async def test_chotdon_serve_without_demo_mode_adds_nothing(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    url = f"sqlite+aiosqlite:///{database}"
    with serving(tmp_path, CHOTDON_DATABASE_URL=url, CHOTDON_API_TOKEN=API_TOKEN) as server:
        assert server.get("/healthz").status_code == 200
        async with httpx.AsyncClient() as client:
            items = await client.get(
                f"{server.base_url}/api/items", headers={"Authorization": f"Bearer {API_TOKEN}"}
            )
        assert items.json()["items"] == []
        assert server.stop() == 0
    assert "Demo:" not in server.log.read_text()
