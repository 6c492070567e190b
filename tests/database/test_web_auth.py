"""Signing in to the staff web pages, over HTTP as a browser (or Telegram's webview) does it:
one-time login links (the CLI's and the bot's `/web`), Mini App init data, the session
cookie, CSRF on forms, and what a removed or demoted staff member can still do (nothing)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.cookies import Morsel
from typing import Any

import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient

from application import web_logins as auth
from bot.keyboards import edit_keyboard
from chotdon.app import create_app
from chotdon.cli import main
from chotdon.runtime import RUNTIME
from kernel.tables import utcnow
from orders.staff import add_staff, remove_staff
from staff_web import initdata
from staff_web.context import CSRF_FIELD, CSRF_KEY, current_staff
from staff_web.security import CLOCK, COOKIE, require_manager, safe_next, start_target
from tests.conftest import make_settings
from tests.fakes.telegram import DEFAULT_TOKEN

BOT_TOKEN = DEFAULT_TOKEN
PUBLIC = "https://shop.example"
MANAGER = 1000
SALES = 1001
STRANGER = 2002
LINK = re.compile(r"https://shop\.example/login/([A-Za-z0-9_-]{43})")


class Clock:
    """The web's clock (`security.CLOCK`): real time, moved on by hand."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset


async def whoami(request: web.Request) -> web.Response:
    """A test-only page: who the middleware says is signed in."""
    staff = current_staff(request)
    return web.json_response({"name": staff.name, "role": staff.role, "csrf": request[CSRF_KEY]})


async def managers_only(request: web.Request) -> web.Response:
    return web.json_response({"name": require_manager(request).name})


def web_app(database_url: str, clock: Clock | None = None, **overrides: Any) -> web.Application:
    values: dict[str, Any] = {"public_url": PUBLIC, "telegram_bot_token": BOT_TOKEN, **overrides}
    app = create_app(
        make_settings(database_url, **values), run_worker=False, run_inbox=False, run_bot=False
    )
    app.router.add_route("*", "/whoami", whoami)
    app.router.add_get("/managers-only", managers_only)
    if clock is not None:
        app[CLOCK] = clock
    return app


class Browser:
    """A browser of one person: keeps the session cookie by hand (the test client's own jar
    would not send a Secure cookie to http://127.0.0.1), so each test says what it sends."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.cookie: str | None = None

    @property
    def sessions(self):
        return self.client.server.app[RUNTIME].sessions

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{COOKIE}={self.cookie}"
        return headers

    def _keep(self, response) -> None:
        morsel = response.cookies.get(COOKIE)
        if morsel is not None:
            self.cookie = morsel.value or None

    async def get(self, path: str, **headers: str):
        response = await self.client.get(
            path, headers=self._headers(headers), allow_redirects=False
        )
        self._keep(response)
        return response

    async def post(self, path: str, data: dict[str, str] | None = None, **headers: str):
        response = await self.client.post(
            path, data=data or {}, headers=self._headers(headers), allow_redirects=False
        )
        self._keep(response)
        return response

    async def link(self, telegram_id: int, *, now: datetime | None = None) -> str:
        async with self.sessions.begin() as session:
            return await auth.issue_login_link(session, telegram_id, now=now)

    async def sign_in(self, telegram_id: int = SALES) -> dict[str, Any]:
        response = await self.get(f"/login/{await self.link(telegram_id)}")
        assert response.status == 303, await response.text()
        me = await self.get("/whoami")
        assert me.status == 200
        return await me.json()


async def add_people(client: TestClient) -> None:
    async with client.server.app[RUNTIME].sessions.begin() as session:
        await add_staff(session, MANAGER, "Hạnh", "manager")
        await add_staff(session, SALES, "Lan", "sales")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def browser(aiohttp_client, sqlite_url, clock) -> Browser:
    client = await aiohttp_client(web_app(sqlite_url, clock), cookie_jar=DummyCookieJar())
    await add_people(client)
    return Browser(client)


def cookie_of(response) -> Morsel:
    morsel = response.cookies.get(COOKIE)
    assert morsel is not None, "no session cookie set"
    return morsel


def init_data(user_id: int | None, *, auth_date: datetime | None = None, **fields: str) -> str:
    values: dict[str, str] = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "auth_date": str(int((auth_date or utcnow()).timestamp())),
        "chat_type": "supergroup",
        "chat_instance": "-7000000000000000000",
        **fields,
    }
    if user_id is not None:
        values["user"] = json.dumps(
            {"id": user_id, "first_name": "Lan", "username": "lan_shop", "language_code": "vi"},
            separators=(",", ":"),
        )
    return initdata.sign_init_data(values, BOT_TOKEN)


# -- the middleware -----------------------------------------------------------------------------


async def test_pages_without_a_session_send_get_to_login_and_refuse_posts(browser: Browser):
    page = await browser.get("/whoami?tab=draft")
    assert page.status == 303
    assert page.headers["Location"] == "/login?next=/whoami%3Ftab%3Ddraft"
    home = await browser.get("/")
    assert home.status == 303 and home.headers["Location"].startswith("/login?next=")
    posted = await browser.post("/whoami", {"x": "1"})
    assert posted.status == 403
    assert "sign" in (await posted.text()).lower() or "đăng nhập" in await posted.text()
    help_page = await browser.get("/login")
    assert help_page.status == 200
    body = await help_page.text()
    assert "/web" in body and "chotdon login-link" in body


async def test_machine_routes_are_not_behind_the_sign_in(browser: Browser):
    assert (await browser.get("/healthz")).status == 200
    assert (await browser.get("/api/items")).status == 401  # the API's own bearer token


async def test_a_garbage_cookie_is_refused_and_forgotten(browser: Browser):
    browser.cookie = "not-a-session"
    page = await browser.get("/whoami")
    assert page.status == 303
    assert browser.cookie is None  # the answer deleted it


# -- login links ------------------------------------------------------------------------------


async def test_a_login_link_signs_in_once_with_a_strict_cookie(browser: Browser):
    token = await browser.link(SALES)
    first = await browser.get(f"/login/{token}?next=/whoami%3Fx%3D1")
    assert first.status == 303
    assert first.headers["Location"] == "/whoami?x=1"
    morsel = cookie_of(first)
    assert morsel["httponly"] is True
    assert morsel["secure"] is True  # CHOTDON_PUBLIC_URL is https
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert len(morsel.value) >= 40
    me = await browser.get("/whoami")
    assert me.status == 200
    assert (await me.json())["name"] == "Lan"

    browser.cookie = None
    again = await browser.get(f"/login/{token}")
    assert again.status == 403
    assert COOKIE not in again.cookies
    words = await again.text()
    assert "đã được dùng hoặc đã hết hạn" in words and "/web" in words


async def test_only_a_hash_of_the_token_is_stored(browser: Browser):
    from sqlalchemy import select

    from application.web_login_tables import WebLoginLink, WebSession

    token = await browser.link(SALES)
    await browser.get(f"/login/{token}")
    async with browser.sessions() as session:
        link = (await session.scalars(select(WebLoginLink))).one()
        web_session = (await session.scalars(select(WebSession))).one()
    assert link.token_hash == auth.hash_token(token) and token not in link.token_hash
    assert link.used_at is not None
    assert web_session.token_hash == auth.hash_token(browser.cookie or "")


async def test_an_expired_or_unknown_link_is_refused(browser: Browser):
    old = await browser.link(SALES, now=utcnow() - auth.LINK_LIFETIME - timedelta(seconds=1))
    expired = await browser.get(f"/login/{old}")
    assert expired.status == 403 and COOKIE not in expired.cookies
    unknown = await browser.get("/login/" + "x" * 43)
    assert unknown.status == 403


async def test_a_link_preview_robot_does_not_use_up_the_link(browser: Browser):
    token = await browser.link(SALES)
    robot = await browser.get(f"/login/{token}", **{"User-Agent": "TelegramBot (like TwitterBot)"})
    assert robot.status == 200 and COOKIE not in robot.cookies
    person = await browser.get(f"/login/{token}")
    assert person.status == 303


async def test_the_cookie_is_not_secure_on_plain_http(aiohttp_client, sqlite_url):
    client = await aiohttp_client(
        web_app(sqlite_url, public_url="http://127.0.0.1:8080"), cookie_jar=DummyCookieJar()
    )
    await add_people(client)
    browser = Browser(client)
    response = await browser.get(f"/login/{await browser.link(SALES)}")
    morsel = cookie_of(response)
    assert not morsel["secure"] and morsel["httponly"] is True and morsel["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/orders/5/edit", "/orders/5/edit"),
        ("/orders?tab=draft", "/orders?tab=draft"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("orders", "/"),
        ("/login/abc", "/"),
        ("/logout", "/"),
        ("/api/orders", "/"),
        ("/x\r\nSet-Cookie: a=b", "/"),
        (None, "/"),
    ],
)
def test_next_is_only_ever_a_page_of_this_site(given: str | None, kept: str):
    assert safe_next(given) == kept


# -- sessions -----------------------------------------------------------------------------------


async def test_a_removed_staff_member_is_out_at_once(browser: Browser):
    assert (await browser.sign_in(SALES))["name"] == "Lan"
    async with browser.sessions.begin() as session:
        assert await remove_staff(session, SALES)
    page = await browser.get("/whoami")
    assert page.status == 303 and page.headers["Location"].startswith("/login")
    # Added back, they are a new staff row: the old session does not come back with them.
    async with browser.sessions.begin() as session:
        await add_staff(session, SALES, "Lan", "sales")
    browser.cookie = browser.cookie or "gone"
    assert (await browser.get("/whoami")).status == 303


async def test_a_role_change_counts_on_the_next_request(browser: Browser):
    await browser.sign_in(SALES)
    refused = await browser.get("/managers-only")
    assert refused.status == 403
    assert "quản lý" in (await refused.text()).lower()
    async with browser.sessions.begin() as session:
        await add_staff(session, SALES, "Lan", "manager")
    allowed = await browser.get("/managers-only")
    assert allowed.status == 200 and (await allowed.json())["name"] == "Lan"


async def test_a_session_ends_after_twelve_idle_hours(browser: Browser, clock: Clock):
    await browser.sign_in(SALES)
    clock.offset = auth.SESSION_IDLE - timedelta(minutes=1)
    assert (await browser.get("/whoami")).status == 200  # and this request renews it
    clock.offset += auth.SESSION_IDLE - timedelta(minutes=1)
    assert (await browser.get("/whoami")).status == 200
    clock.offset += auth.SESSION_IDLE + timedelta(minutes=1)
    assert (await browser.get("/whoami")).status == 303


async def test_a_session_ends_after_seven_days_however_busy(browser: Browser, clock: Clock):
    await browser.sign_in(SALES)
    while clock.offset < auth.SESSION_MAX - timedelta(hours=11):
        clock.offset += timedelta(hours=11)
        assert (await browser.get("/whoami")).status == 200
    clock.offset = auth.SESSION_MAX + timedelta(minutes=1)
    assert (await browser.get("/whoami")).status == 303


# -- CSRF -------------------------------------------------------------------------------------


async def test_a_form_without_the_right_csrf_token_is_refused(browser: Browser):
    me = await browser.sign_in(SALES)
    missing = await browser.post("/logout")
    assert missing.status == 403
    assert "reload" in (await missing.text()).lower() or "tải lại" in await missing.text()
    wrong = await browser.post("/logout", {CSRF_FIELD: me["csrf"][:-1] + "x"})
    assert wrong.status == 403
    wrong_header = await browser.post("/logout", **{"X-CSRF-Token": "nope"})
    assert wrong_header.status == 403
    assert (await browser.get("/whoami")).status == 200  # still signed in

    cookie = browser.cookie
    done = await browser.post("/logout", {CSRF_FIELD: me["csrf"]})
    assert done.status == 303 and done.headers["Location"] == "/login"
    assert browser.cookie is None  # deleted in the browser...
    browser.cookie = cookie
    assert (await browser.get("/whoami")).status == 303  # ...and over on the server


async def test_the_csrf_header_is_taken_too(browser: Browser):
    me = await browser.sign_in(SALES)
    done = await browser.post("/logout", **{"X-CSRF-Token": me["csrf"]})
    assert done.status == 303


# -- security headers -------------------------------------------------------------------------


async def test_html_answers_carry_the_security_headers(browser: Browser):
    page = await browser.get("/login")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
    assert "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "X-Frame-Options" not in page.headers  # Telegram's web client frames the Mini App


# -- Telegram Mini App ------------------------------------------------------------------------


async def test_the_mini_app_page_reads_its_init_data_with_its_own_script(browser: Browser):
    page = await browser.get("/miniapp")
    assert page.status == 200
    body = await page.text()
    assert "tgWebAppData" in body and "/miniapp/session" in body and 'name="init_data"' in body
    assert "telegram.org" not in body and "<script src" not in body
    nonce = re.search(r'<script nonce="([^"]+)">', body)
    assert nonce is not None
    assert f"'nonce-{nonce.group(1)}'" in page.headers["Content-Security-Policy"]


async def test_staff_init_data_signs_in_and_opens_the_order(browser: Browser):
    response = await browser.post(
        "/miniapp/session", {"init_data": init_data(SALES, start_param="order_42")}
    )
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/orders/42/edit"
    morsel = cookie_of(response)
    assert morsel["samesite"] == "None" and morsel["secure"] is True
    assert morsel["httponly"] is True
    me = await browser.get("/whoami")
    assert me.status == 200 and (await me.json())["name"] == "Lan"


async def test_init_data_without_a_start_param_lands_on_the_home_page(browser: Browser):
    response = await browser.post("/miniapp/session", {"init_data": init_data(MANAGER)})
    assert response.status == 303 and response.headers["Location"] == "/"


def _tampered_hash(raw: str) -> str:
    digest = re.search(r"hash=([0-9a-f]{64})", raw)
    assert digest
    flipped = ("0" if digest.group(1)[0] != "0" else "1") + digest.group(1)[1:]
    return raw.replace(digest.group(1), flipped)


def _tampered_user(raw: str) -> str:
    """The signed data with the user's id changed to the manager's, hash kept."""
    return raw.replace(f"%22id%22%3A{SALES}", f"%22id%22%3A{MANAGER}")


FORGERIES: dict[str, Callable[[], str]] = {
    "hash changed": lambda: _tampered_hash(init_data(SALES)),
    "user tampered": lambda: _tampered_user(init_data(SALES)),
    "start_param added": lambda: init_data(SALES) + "&start_param=order_1",
    "signed with another bot's token": lambda: initdata.sign_init_data(
        {"auth_date": str(int(utcnow().timestamp())), "user": json.dumps({"id": SALES})},
        "42:ANOTHER",
    ),
    "stale auth_date": lambda: init_data(SALES, auth_date=utcnow() - timedelta(hours=2)),
    "auth_date in the future": lambda: init_data(SALES, auth_date=utcnow() + timedelta(hours=1)),
    "no user": lambda: init_data(None),
    "empty": lambda: "",
    "no hash": lambda: "auth_date=1&user=%7B%22id%22%3A1001%7D",
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_forged_or_stale_init_data_is_refused(browser: Browser, forgery: str):
    raw = FORGERIES[forgery]()
    response = await browser.post("/miniapp/session", {"init_data": raw})
    assert response.status == 403
    assert COOKIE not in response.cookies
    assert "không hợp lệ hoặc đã quá cũ" in await response.text()


async def test_valid_init_data_of_someone_not_on_staff_is_refused(browser: Browser):
    response = await browser.post("/miniapp/session", {"init_data": init_data(STRANGER)})
    assert response.status == 403 and COOKIE not in response.cookies
    assert "not staff" in await response.text()


async def test_without_a_bot_token_the_mini_app_cannot_sign_in(aiohttp_client, sqlite_url):
    client = await aiohttp_client(web_app(sqlite_url, telegram_bot_token=None))
    await add_people(client)
    answer = await client.post("/miniapp/session", data={"init_data": init_data(SALES)})
    assert answer.status == 503


def test_the_validator_checks_the_signature_field_with_the_rest():
    """Bot API 8.0's `signature` is inside the HMAC (reference §4): a validator that drops it
    before hashing would refuse genuine data, and one that ignores it would take a swapped one."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    fields = {
        "auth_date": str(int(now.timestamp())),
        "user": json.dumps({"id": SALES}),
        "signature": "c2lnbmVkLWJ5LXRlbGVncmFt",
    }
    raw = initdata.sign_init_data(fields, BOT_TOKEN)
    assert initdata.validate_init_data(raw, BOT_TOKEN, now=now).user_id == SALES
    swapped = raw.replace("c2lnbmVkLWJ5LXRlbGVncmFt", "b3RoZXItc2lnbmF0dXJl")
    with pytest.raises(initdata.InitDataError, match="bad_hash"):
        initdata.validate_init_data(swapped, BOT_TOKEN, now=now)
    dropped = "&".join(p for p in raw.split("&") if not p.startswith("signature="))
    with pytest.raises(initdata.InitDataError, match="bad_hash"):
        initdata.validate_init_data(dropped, BOT_TOKEN, now=now)


def test_the_validator_agrees_with_a_published_vector():
    """aiogram's test vector (token `42:TEST`): a signer other than ours. The reference's own
    vectors are truncated, so they cannot be replayed here."""
    raw = (
        "auth_date=1650385342"
        "&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D"
        "&query_id=test"
        "&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
    )
    now = datetime.fromtimestamp(1650385342 + 60, UTC)
    data = initdata.validate_init_data(raw, "42:TEST", now=now)
    assert data.user_id == 42 and data.user["first_name"] == "Test"
    with pytest.raises(initdata.InitDataError, match="bad_hash"):
        initdata.validate_init_data(raw, "42:INVALID", now=now)
    with pytest.raises(initdata.InitDataError, match="stale"):
        initdata.validate_init_data(raw, "42:TEST", now=now + timedelta(hours=2))


@pytest.mark.parametrize(
    "raw",
    [
        "auth_date=1&hash=" + "é" * 64,
        "auth_date=1&hash=%C3%A9%C3%A9",
        "user=a&user=b&hash=00",
        "test&foo=bar=baz",
    ],
)
def test_hostile_init_data_is_refused_not_crashed_on(raw: str):
    with pytest.raises(initdata.InitDataError):
        initdata.validate_init_data(raw, BOT_TOKEN, now=utcnow())


@pytest.mark.parametrize(
    ("start_param", "target"),
    [("order_42", "/orders/42/edit"), ("order_x", "/"), ("order_", "/"), (None, "/"), ("", "/")],
)
def test_start_param_targets(start_param: str | None, target: str):
    assert start_target(start_param) == target


# -- the CLI ----------------------------------------------------------------------------------


async def test_the_cli_prints_a_link_that_signs_in(browser: Browser, sqlite_url, tmp_path, capsys):
    with pytest.MonkeyPatch.context() as env:
        env.chdir(tmp_path)  # no stray .env
        env.setenv("CHOTDON_DATABASE_URL", sqlite_url)
        env.setenv("CHOTDON_PUBLIC_URL", PUBLIC)
        code = await asyncio.to_thread(main, ["login-link", str(SALES)])
        assert code == 0
        printed = capsys.readouterr().out.strip()
        match = LINK.fullmatch(printed)
        assert match, printed
        response = await browser.get(f"/login/{match.group(1)}")
        assert response.status == 303 and COOKIE in response.cookies

        refused = await asyncio.to_thread(main, ["login-link", str(STRANGER)])
        assert refused == 1
        out = capsys.readouterr()
        assert out.out == ""
        assert f"No staff member has Telegram id {STRANGER}" in out.err


# -- the Mini App button on the card ----------------------------------------------------------


def test_the_edit_menu_has_a_mini_app_button_only_when_configured():
    def urls(markup) -> list[str]:
        return [b.url for row in markup.inline_keyboard for b in row if b.url]

    assert urls(edit_keyboard(7, 3)) == []
    assert urls(edit_keyboard(7, 3, miniapp_url="https://t.me/shop_bot/app")) == [
        "https://t.me/shop_bot/app?startapp=order_7"
    ]
    assert urls(edit_keyboard(7, 3, miniapp_url="https://t.me/shop_bot/app?mode=compact")) == [
        "https://t.me/shop_bot/app?mode=compact&startapp=order_7"
    ]
