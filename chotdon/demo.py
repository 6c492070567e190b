"""Demo mode (`CHOTDON_DEMO=1`, which `make run` sets): a newcomer's first run shows the whole
service working, with nothing to configure.

With an empty database (no orders, no items, no staff) the sample catalog is imported, the
sample's live session is opened with the items' codes, and a demo manager is put on staff;
once the server is listening, the bundled sample livestream is replayed through the real door,
`POST /webhooks/facebook` with a correct `X-Hub-Signature-256` each, so the comments become drafts
exactly as Facebook's would. Then a one-time login link for the demo manager is printed. With
data already there, only a fresh link is printed. A production `chotdon serve` (no
`CHOTDON_DEMO`) never gets any of this.

Without `FACEBOOK_APP_SECRET`, a random secret is made for this process (and its worker child)
before the app is built, so the signature check runs as it would in production.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

import httpx
from aiohttp import web
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from application import web_logins as auth
from application.live_sessions import open_session
from chotdon.cli_live import post_comments
from chotdon.runtime import RUNTIME, SETTINGS
from chotdon.settings import Settings
from livestream.simulate import DEFAULT_PAGE_ID, SimulatedComment, read_comment
from orders.catalog import import_items, parse_items_csv
from orders.staff import Role, add_staff, find_staff, list_staff
from orders.tables import Item, Order, Staff

log = logging.getLogger(__name__)

SAMPLES: Final = Path(__file__).resolve().parent.parent / "samples"
ITEMS_CSV: Final = "items.csv"
LIVESTREAM: Final = "livestream.jsonl"
LIVE_TITLE: Final = "Live tối thứ Sáu"
DEMO_TELEGRAM_ID: Final = 100_000_001  # not a real Telegram user: the demo manager
DEMO_NAME: Final = "Demo"
LANES: Final = 4  # requests at once while replaying, as `chotdon simulate` does
READY_DEADLINE_S: Final = 30.0
# The sender bills and shipping notes print when the shop has not set its own: a made-up shop
# in the 2025 two-level scheme (street, ward, province), as `CHOTDON_SHOP_ADDRESS` is written.
DEMO_SHOP: Final = (
    ("shop_name", "CHOTDON_SHOP_NAME", "Shop Chốt Đơn (demo)"),
    ("shop_phone", "CHOTDON_SHOP_PHONE", "0901234567"),
    (
        "shop_address",
        "CHOTDON_SHOP_ADDRESS",
        "12 Lý Tự Trọng, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    ),
)
REPLAY: web.AppKey[asyncio.Task[None]] = web.AppKey("demo_replay", asyncio.Task)
BASE_URL: web.AppKey[str] = web.AppKey("demo_base_url", str)


def prepare(settings: Settings, base_url: str) -> Settings:
    """Settings for a demo run, before the app is built: a webhook secret if there is none,
    the sample's Page id if none is set (its own comments are then flagged as the Page's),
    links that point at where this process listens unless `CHOTDON_PUBLIC_URL` says otherwise,
    and a shop name, phone and address (`DEMO_SHOP`) where none is set, so bills and shipping
    notes show a sender.
    Set in the environment too, so the worker child of `chotdon serve` sees the same."""
    if not settings.demo:
        return settings
    update: dict[str, object] = {}
    if not settings.facebook_app_secret:
        update["facebook_app_secret"] = secrets.token_hex(32)
        os.environ["FACEBOOK_APP_SECRET"] = str(update["facebook_app_secret"])
    if not settings.facebook_page_id:
        update["facebook_page_id"] = DEFAULT_PAGE_ID
        os.environ["FACEBOOK_PAGE_ID"] = DEFAULT_PAGE_ID
    if "public_url" not in settings.model_fields_set:
        update["public_url"] = base_url.rstrip("/")
    for name, variable, value in DEMO_SHOP:
        if not getattr(settings, name):  # a shop's own settings always win
            update[name] = value
            os.environ[variable] = value
    return settings.model_copy(update=update)


def setup(app: web.Application, base_url: str) -> None:
    """Adds the demo to an app built by `create_app` (after it, so the runtime is open)."""
    app[BASE_URL] = base_url.rstrip("/")
    app.cleanup_ctx.append(_demo)


def listening_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server bound to `host`."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


async def _demo(app: web.Application) -> AsyncIterator[None]:
    sessions = app[RUNTIME].sessions
    async with sessions.begin() as session:
        seeded = await seed_if_empty(session)
    if seeded:
        log.info("demo: empty database, loaded the sample catalog, live and a demo manager")
    app[REPLAY] = asyncio.create_task(_welcome(app, replay=seeded), name="demo")
    try:
        yield
    finally:
        task = app[REPLAY]
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def is_empty(session: AsyncSession) -> bool:
    """No orders, no items, no staff: nobody has used this database yet."""
    for table in (Order, Item, Staff):
        if await session.scalar(select(exists().select_from(table))):
            return False
    return True


async def seed_if_empty(session: AsyncSession, samples: Path = SAMPLES) -> bool:
    """The sample catalog, the sample's live session and the demo manager, on an empty
    database only; True if they were added."""
    if not await is_empty(session):
        return False
    csv = await asyncio.to_thread((samples / ITEMS_CSV).read_text, encoding="utf-8")
    await import_items(session, parse_items_csv(csv))
    for video_id in sorted({c.video_id for c in await sample_comments(samples)}):
        await open_session(session, video_id, title=LIVE_TITLE)  # the items' codes
    await add_staff(session, DEMO_TELEGRAM_ID, DEMO_NAME, Role.MANAGER.value)
    return True


async def sample_comments(samples: Path = SAMPLES) -> list[SimulatedComment]:
    text = await asyncio.to_thread((samples / LIVESTREAM).read_text, encoding="utf-8")
    return [read_comment(json.loads(line)) for line in text.splitlines() if line.strip()]


async def _welcome(app: web.Application, *, replay: bool) -> None:
    """Once the server answers: replay the sample (on a fresh database), then the link."""
    settings = app[SETTINGS]
    base = app[BASE_URL]
    try:
        if replay:
            await _until_listening(base)
            comments = await sample_comments()
            secret = settings.facebook_app_secret or ""
            page_id = settings.facebook_page_id or DEFAULT_PAGE_ID
            url = f"{base}/webhooks/facebook"
            with _quiet("httpx"):  # not a log line per comment
                tally = await post_comments(comments, url, secret, page_id, LANES)
            say(
                f"Demo: replayed {LIVESTREAM} as {tally.accepted} signed Facebook webhooks "
                f"({tally.refused} refused); their drafts are being made now."
            )
        await _print_login_link(app)
    except asyncio.CancelledError:
        raise
    except Exception:  # the demo is a courtesy: the service itself goes on
        log.exception("demo: could not finish")


async def _until_listening(base: str) -> None:
    """The task starts while the app starts, just before the socket is bound."""
    deadline = time.monotonic() + READY_DEADLINE_S
    async with httpx.AsyncClient(timeout=5.0) as client:
        while True:
            try:
                await client.get(f"{base}/healthz")
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)


async def _print_login_link(app: web.Application) -> None:
    async with app[RUNTIME].sessions.begin() as session:
        staff = await find_staff(session, DEMO_TELEGRAM_ID)
        if staff is None:
            staff = next((s for s in await list_staff(session) if s.role == Role.MANAGER), None)
        if staff is None:
            say(
                "Demo: nobody is on staff here. Add yourself with "
                "`chotdon staff add TELEGRAM_USER_ID --name NAME --role manager`, then "
                "`chotdon login-link TELEGRAM_USER_ID`."
            )
            return
        link = await login_link(app, session, staff)
    say(
        f"Demo: open {link} (valid {LINK_MINUTES} minutes, once) to sign in as "
        f"{staff.name} ({staff.role}). Another link: .venv/bin/chotdon login-link "
        f"{staff.telegram_id}"
    )


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def say(line: str) -> None:
    """On the console, where the newcomer who typed `make run` is looking."""
    print(line, flush=True)


# -- the sign-in side's one-time links --------------------------------------------------------

LINK_MINUTES: Final = int(auth.LINK_LIFETIME.total_seconds() // 60)


async def login_link(app: web.Application, session: AsyncSession, staff: Staff) -> str:
    """A one-time link that signs `staff` in, as `chotdon login-link` makes it."""
    token = await auth.issue_login_link(session, staff.telegram_id)
    return auth.login_url(app[SETTINGS].public_url, token)
