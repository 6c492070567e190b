"""No secret in any log line: the whole service run with a distinctive value for every secret
setting, every flow that carries one (accepted and refused alike), and everything logged, at
every level, searched for them.

Two captures: the app in this process, driven over HTTP, with a root handler at DEBUG (library
loggers included) behind the same filter `chotdon.serve.configure_logging` installs, so the
filter alone is shown to be enough; and a real `chotdon serve` process with its defaults, whose
stderr (access log, aiohttp's server log, the worker child) is read whole.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from aiohttp.test_utils import TestClient

from application.live_sessions import open_session, parse_codes
from bot.lifecycle import BOT
from bot.webhook import SECRET_HEADER
from chotdon import log_redaction
from chotdon.runtime import RUNTIME
from chotdon.serve import LOG_FORMAT
from chotdon.settings import Settings
from kernel.http import signatures
from livestream.simulate import SimulatedComment, webhook_body
from orders.staff import add_staff
from tests.carrier_shop import (
    BUYER,
    CARRIERS,
    LINES,
    ApiKeys,
    Shop,
    fixture,
    open_fakes,
    open_shop,
    settings_for,
)
from tests.conftest import GROUP, make_settings
from tests.e2e.test_carrier_webhooks import SAMPLES, SOMEONE, with_token
from tests.fakes.graph import FakeGraph
from tests.fakes.telegram import FakeTelegram, Message
from tests.helpers import clean_environment, eventually, free_port

MARK = "SeCrEt"  # in every secret below, and in nothing the service would log by itself
SECRETS: dict[str, str] = {
    "telegram_bot_token": "7351908264:SeCrEt-bot-7f3aQz9Lk2Vx8Rt5Yp1Wm4Nc6Hb",
    "telegram_webhook_secret": "SeCrEt-tgwh-7f3a_Kd82",  # Telegram allows [A-Za-z0-9_-] only
    "api_token": "SeCrEt-api+7f3a/Zq=w",
    "facebook_app_secret": "SeCrEt-fbapp-7f3a9c",
    "facebook_verify_token": "SeCrEt-verify+7f3a/Qx=9",
    "facebook_page_access_token": "SeCrEt-page-EAAG7f3a",
    "ghn_token": "SeCrEt-ghn-api-7f3a",
    "ghn_webhook_token": "SeCrEt-ghn-wh+7f3a/=",
    "ghtk_token": "SeCrEt-ghtk-api-7f3a",
    "ghtk_webhook_hash": "SeCrEt-ghtk-hash-7f3a",
    "viettelpost_token": "SeCrEt-vtp-api-7f3a",
    "viettelpost_webhook_token": "SeCrEt-vtp-wh-7f3a",
    "ahamove_token": "SeCrEt-aha-api+7f3a",
    "ahamove_webhook_key": "SeCrEt-aha-wh-7f3a",
    "shop_handoff_secret": "SeCrEt-pos-7f3a",
}
KEYS = ApiKeys(
    ghn=SECRETS["ghn_token"],
    ghtk=SECRETS["ghtk_token"],
    viettelpost=SECRETS["viettelpost_token"],
    ahamove=SECRETS["ahamove_token"],
    pos=SECRETS["shop_handoff_secret"],
)
STAFF = 1001
PAGE, VIDEO = "999000111", "776655443322"
LINK = re.compile(r"/login/([A-Za-z0-9_-]{43})")
# Over aiohttp's 8190-byte limit for a request line.
PADDING = "a" * 9000


# -- what counts as a leak ------------------------------------------------------------------


def spellings(secret: str) -> set[str]:
    encoded = quote(secret, safe="")
    return {
        secret,
        encoded,
        re.sub("%[0-9A-F]{2}", lambda hex_: hex_.group().lower(), encoded),
        quote_plus(secret),
        quote(secret),
    }


def leaks(lines: list[str], secrets: dict[str, str]) -> list[tuple[str, str]]:
    """(what, line) for each line that shows a secret, in any spelling, or the mark all of
    them share (a secret cut short in a line still starts with it)."""
    found = []
    for line in lines:
        for name, secret in secrets.items():
            if any(spelling in line for spelling in spellings(secret)):
                found.append((name, line[:300]))
        if MARK in line:
            found.append(("the mark", line[:300]))
    return found


class Lines(logging.Handler):
    """Every record as the service's format writes it, exception text included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Lines]:
    """Everything logged while the test runs, at DEBUG, libraries included; through the filter
    `configure_logging` installs, built from the same settings the service runs with."""
    handler = Lines()
    settings = make_settings("sqlite+aiosqlite:///unused.db", **SECRETS)
    log_redaction.install(log_redaction.SecretMask.of(settings.secrets().values()), [handler])
    root = logging.getLogger()
    before = root.level, {n: logging.getLogger(n).level for n in log_redaction.LIBRARY_LOGGERS}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in log_redaction.LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(before[0])
        for name, level in before[1].items():
            logging.getLogger(name).setLevel(level)


# -- the far ends ---------------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeTelegram:
    """The staff group's Telegram, knowing our distinctive bot token (conftest's `root`)."""
    return FakeTelegram(token=SECRETS["telegram_bot_token"])


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph(access_token=SECRETS["facebook_page_access_token"], page_id=PAGE)


@pytest.fixture
async def graph_url(graph: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(graph.app())
    yield str(server.make_url("")).rstrip("/")
    graph.release()


def service_settings(telegram_root: str, graph_url: str) -> dict[str, object]:
    return {
        **SECRETS,
        "telegram_api_url": telegram_root,
        "telegram_staff_chat_id": GROUP,
        "public_url": "https://shop.example",
        "facebook_page_id": PAGE,
        "facebook_graph_url": graph_url,
        "private_reply": True,
    }


# -- the flows ------------------------------------------------------------------------------


async def status_of(client: TestClient, method: str, path: str, **options: Any) -> int:
    async with client.request(method, path, allow_redirects=False, **options) as response:
        await response.read()
        return response.status


async def to_telegram_webhook(client: TestClient, update: dict[str, Any], secret: str) -> int:
    headers = {SECRET_HEADER: secret}
    return await status_of(client, "POST", "/telegram/webhook", json=update, headers=headers)


async def facebook_handshakes(client: TestClient) -> None:
    verify = quote(SECRETS["facebook_verify_token"], safe="")
    base = "/webhooks/facebook?hub.mode=subscribe"
    assert await status_of(client, "GET", f"{base}&hub.verify_token={verify}&hub.challenge=42") == (
        200
    )
    wrong = "/webhooks/facebook?hub.mode=subscribe&hub.verify_token=guess-verify&hub.challenge=42"
    assert await status_of(client, "GET", wrong) == 403
    # The right token, refused for another reason: the line still must not show it.
    assert await status_of(client, "GET", f"{base}&hub.verify_token={verify}") == 403
    oversized = f"{base}&hub.verify_token={verify}&hub.challenge=42&pad={PADDING}"
    assert await status_of(client, "GET", oversized) in (400, 414)


async def comment(client: TestClient, text: str, n: int) -> None:
    said = SimulatedComment(VIDEO, f"{VIDEO}_{n}", "fb-77", "Nguyễn Thị Hoa", text, 1_764_600_000)
    body = webhook_body([said], page_id=PAGE)
    headers = {
        signatures.HEADER: signatures.sign(SECRETS["facebook_app_secret"], body),
        "Content-Type": "application/json",
    }
    assert await status_of(client, "POST", "/webhooks/facebook", data=body, headers=headers) == 200


async def comment_to_card_and_taps(shop: Shop, fake: FakeTelegram, graph: FakeGraph) -> None:
    """A signed comment with a phone: a draft, its card in the group through the Bot API, the
    comment hidden and answered privately through Graph; then taps with both secrets."""
    graph.add_comment(f"{VIDEO}_1")
    await comment(shop.client, "A1 2 0912345678", 1)

    async def card() -> Message | None:
        return next((m for m in fake.bot_messages(GROUP) if m.callback_data), None)

    posted = await eventually(card, "the draft's card in the group")

    async def graph_done() -> bool:
        return graph.comments[f"{VIDEO}_1"].hidden and bool(graph.sent)

    await eventually(graph_done, "the comment hidden and answered on Facebook")

    data = posted.callback_data[0]
    update = fake.callback_update(fake.user(STAFF), GROUP, posted.message_id, data)
    secret = SECRETS["telegram_webhook_secret"]
    assert await to_telegram_webhook(shop.client, update, secret) == 200
    query_id = update["callback_query"]["id"]

    async def answered() -> bool:
        return query_id in fake.callback_answers

    await eventually(answered, "the tap answered")
    assert await to_telegram_webhook(shop.client, update, "guess-telegram-secret") == 403


async def carrier_webhooks(shop: Shop) -> None:
    """Each carrier's report with its right secret, a wrong one, and its right one where it
    does not belong (so a refused line holds it)."""
    ghn, ghtk = SECRETS["ghn_webhook_token"], SECRETS["ghtk_webhook_hash"]
    vtp, aha = SECRETS["viettelpost_webhook_token"], SECRETS["ahamove_webhook_key"]
    sent: list[tuple[str, bytes | None, dict[str, str], dict[str, str], int]] = [
        ("ghn", None, {"token": ghn}, {}, 200),
        ("ghn", None, {"token": "guess-ghn"}, {}, 401),
        ("ghtk", None, {"hash": ghtk}, {}, 200),
        ("ghtk", None, {"hash": "guess-ghtk"}, {}, 401),
        ("ghtk", None, {"token": ghn}, {}, 401),
        ("ahamove", None, {}, {"apikey": aha}, 200),
        ("ahamove", None, {}, {"apikey": "guess-ahamove"}, 401),
        ("ahamove", None, {"apikey": aha}, {}, 401),
    ]
    body, content_type = fixture("viettelpost", SAMPLES["viettelpost"], SOMEONE)
    sent += [
        ("viettelpost", with_token(body, vtp), {}, {}, 200),
        ("viettelpost", with_token(body, "guess-vtp"), {}, {}, 401),
        ("viettelpost", with_token(body, ...), {"token": vtp}, {}, 401),
    ]
    for carrier, given, query, headers, expected in sent:
        default, content_type = fixture(carrier, SAMPLES[carrier], SOMEONE)
        status, _ = await shop.webhook(
            carrier, given or default, content_type, query=query, headers=headers
        )
        assert status == expected, (carrier, query, headers)
    await shop.settled(await shop.inbox_count())


async def api_calls(shop: Shop) -> None:
    token = SECRETS["api_token"]
    right = {"Authorization": f"Bearer {token}"}
    assert await status_of(shop.client, "GET", "/api/orders", headers=right) == 200
    wrong = {"Authorization": "Bearer guess-api-token"}
    assert await status_of(shop.client, "GET", "/api/orders", headers=wrong) == 401
    in_query = f"/api/orders?token={quote(token, safe='')}"
    assert await status_of(shop.client, "GET", in_query) == 401


async def login_links(shop: Shop, fake: FakeTelegram) -> str:
    """`/web` in the group: the link comes privately; used, used again, mangled. The token."""
    update = fake.text_update(fake.user(STAFF), GROUP, "/web")
    assert await to_telegram_webhook(shop.client, update, SECRETS["telegram_webhook_secret"]) == 200

    async def link() -> str | None:
        found = (LINK.search(m.text or "") for m in fake.bot_messages(STAFF))
        return next((match.group(1) for match in found if match), None)

    token = await eventually(link, "the login link in a private message")
    assert await status_of(shop.client, "GET", f"/login/{token}?next=/") == 303
    assert await status_of(shop.client, "GET", f"/login/{token}") == 403
    mangled = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert await status_of(shop.client, "GET", f"/login/{mangled}") == 403
    return token


async def shipments_and_handoff(shop: Shop) -> None:
    """A parcel with each carrier (their API tokens: headers, and Ahamove's v1 query), and an
    order handed to the shop's POS (its signing secret)."""
    for carrier in CARRIERS:
        await shop.shipping_order(carrier)
    order = await shop.act(await shop.create(), "create_order")
    await shop.act(order, "send_to_shop")
    pos = shop.fakes.pos

    async def handed() -> bool:
        return bool(pos.orders)

    await eventually(handed, "the POS taking the order")
    assert pos.refused_signatures == 0


async def secret_paths(shop: Shop) -> None:
    """Secrets where no route expects them: as path segments."""
    for path in (
        f"/webhooks/{quote(SECRETS['ghn_webhook_token'], safe='')}",
        f"/bot{SECRETS['telegram_bot_token']}/getMe",
        f"/{quote(SECRETS['api_token'], safe='')}/orders",
    ):
        assert await status_of(shop.client, "GET", path) in (303, 404)  # pages: to sign-in


# -- the proofs -----------------------------------------------------------------------------


async def test_no_secret_reaches_any_line_the_service_logs_in_process(
    sqlite_url: str,
    root: str,
    fake: FakeTelegram,
    graph: FakeGraph,
    graph_url: str,
    captured: Lines,
):
    async with open_shop(sqlite_url, keys=KEYS, **service_settings(root, graph_url)) as shop:
        async with shop.app[RUNTIME].sessions.begin() as session:
            await add_staff(session, STAFF, "Lan", "sales")
            await open_session(session, VIDEO, codes=parse_codes("A1=AO-001,B3=QUAN-002"))
        await asyncio.wait_for(shop.app[BOT].started.wait(), 20)

        await facebook_handshakes(shop.client)
        await comment_to_card_and_taps(shop, fake, graph)
        await carrier_webhooks(shop)
        await api_calls(shop)
        token = await login_links(shop, fake)
        await shipments_and_handoff(shop)
        await secret_paths(shop)

    lines = captured.lines
    found = leaks(lines, {**SECRETS, "login link": token[:20]})
    assert not found, "\n".join(f"{what}: {line}" for what, line in found)
    text = "\n".join(lines)
    # Still useful: the refused requests are there, with the secret's place shown.
    assert '"GET /webhooks/facebook?hub.mode=subscribe&hub.verify_token=*** ' in text
    assert '/webhooks/carriers/ghn?token=*** HTTP/1.1" 401' in text
    assert '/webhooks/carriers/ghtk?token=*** HTTP/1.1" 401' in text
    assert '/webhooks/carriers/ahamove?apikey=*** HTTP/1.1" 401' in text
    assert '/api/orders?token=*** HTTP/1.1" 401' in text
    assert '"GET /login/***?next=/ HTTP/1.1" 303' in text
    assert '"GET /login/*** HTTP/1.1" 403' in text
    assert '"POST /telegram/webhook HTTP/1.1" 403' in text
    assert "/bot***/sendMessage" in text  # the Bot API calls, logged at DEBUG here


# -- a real `chotdon serve` -----------------------------------------------------------------

SAMPLE_ITEMS = Path(__file__).parents[2] / "samples" / "items.csv"
SERVE_DEADLINE_S = 60.0


def environment(settings: Settings) -> dict[str, str]:
    """The settings as the variables a platform would set: every one that is not a default."""
    variables = {}
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if value is None or value == field.default or not isinstance(field.validation_alias, str):
            continue
        variables[field.validation_alias] = str(value)
    return clean_environment(**variables)


def chotdon(directory: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "chotdon", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=SERVE_DEADLINE_S,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Client:
    """The served process as Facebook, Telegram, carriers, the API and a browser reach it."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def request_status(self, method: str, path: str, **options: Any) -> int:
        return (await self.http.request(method, path, **options)).status_code

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {SECRETS['api_token']}"}
        answer = await self.http.request(method, path, json=body, headers=headers)
        assert answer.status_code < 300, answer.text
        return answer.json()


async def serve_flows(client: Client, fake: FakeTelegram, graph: FakeGraph, fakes: Any) -> str:
    """What reaches a shop's service in a day, with every secret, right and wrong; the login
    link's token."""
    http = client.http
    verify = quote(SECRETS["facebook_verify_token"], safe="")
    base = "/webhooks/facebook?hub.mode=subscribe"
    assert await client.request_status("GET", f"{base}&hub.verify_token={verify}&hub.challenge=7")
    wrong = f"{base}&hub.verify_token=guess-verify&hub.challenge=7"
    assert await client.request_status("GET", wrong) == 403
    assert await client.request_status("GET", f"{base}&hub.verify_token={verify}") == 403
    oversized = f"{base}&hub.verify_token={verify}&hub.challenge=7&pad={PADDING}"
    assert await client.request_status("GET", oversized) in (400, 414)

    # A signed comment: a draft, its card through the Bot API, hidden and answered on Facebook.
    graph.add_comment(f"{VIDEO}_1")
    said = SimulatedComment(
        VIDEO, f"{VIDEO}_1", "fb-77", "Nguyễn Thị Hoa", "A1 2 0912345678", 1_764_600_000
    )
    body = webhook_body([said], page_id=PAGE)
    signed = {
        signatures.HEADER: signatures.sign(SECRETS["facebook_app_secret"], body),
        "Content-Type": "application/json",
    }
    answer = await http.post("/webhooks/facebook", content=body, headers=signed)
    assert answer.status_code == 200, answer.text

    async def card() -> Message | None:
        return next((m for m in fake.bot_messages(GROUP) if m.callback_data), None)

    posted = await eventually(card, "the draft's card", deadline_s=SERVE_DEADLINE_S)

    async def graph_done() -> bool:
        return graph.comments[f"{VIDEO}_1"].hidden and bool(graph.sent)

    await eventually(graph_done, "hidden and answered", deadline_s=SERVE_DEADLINE_S)

    # Taps and /web through the Telegram webhook, with the right and a wrong secret.
    tg_secret = {SECRET_HEADER: SECRETS["telegram_webhook_secret"]}
    update = fake.callback_update(
        fake.user(STAFF), GROUP, posted.message_id, posted.callback_data[0]
    )
    assert (await http.post("/telegram/webhook", json=update, headers=tg_secret)).status_code == 200
    wrong_secret = {SECRET_HEADER: "guess-telegram-secret"}
    refused = await http.post("/telegram/webhook", json=update, headers=wrong_secret)
    assert refused.status_code == 403
    web = fake.text_update(fake.user(STAFF), GROUP, "/web")
    assert (await http.post("/telegram/webhook", json=web, headers=tg_secret)).status_code == 200

    async def link() -> str | None:
        found = (LINK.search(m.text or "") for m in fake.bot_messages(STAFF))
        return next((match.group(1) for match in found if match), None)

    token = await eventually(link, "the login link", deadline_s=SERVE_DEADLINE_S)
    assert await client.request_status("GET", f"/login/{token}?next=/") == 303
    assert await client.request_status("GET", f"/login/{token}") == 403
    mangled = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert await client.request_status("GET", f"/login/{mangled}") == 403

    # Carriers' webhooks: right, wrong, and a right secret where it does not belong.
    ghn = SECRETS["ghn_webhook_token"]
    ghn_body, json_type = fixture("ghn", SAMPLES["ghn"], SOMEONE)
    for route, query, expected in (
        ("ghn", {"token": ghn}, 200),
        ("ghn", {"token": "guess-ghn"}, 401),
        ("ghtk", {"token": ghn}, 401),
        ("ahamove", {"apikey": SECRETS["ahamove_webhook_key"]}, 401),
        ("viettelpost", {"token": SECRETS["viettelpost_webhook_token"]}, 401),
    ):
        answer = await http.post(
            f"/webhooks/carriers/{route}",
            params=query,
            content=ghn_body,
            headers={"Content-Type": json_type},
        )
        assert answer.status_code == expected, (route, query, answer.text)

    # The API: a wrong bearer, the token in a query; then a parcel with Ahamove (its token in
    # the query of every call) and a hand-off to the POS (its signing secret).
    assert (
        await client.request_status(
            "GET", "/api/orders", headers={"Authorization": "Bearer guess-api-token"}
        )
        == 401
    )
    in_query = f"/api/orders?token={quote(SECRETS['api_token'], safe='')}"
    assert await client.request_status("GET", in_query) == 401
    order = await client.api(
        "POST", "/api/orders", {"customer": BUYER, "lines": LINES, "shipping_fee": 30_000}
    )
    order = await client.api(
        "POST", f"/api/orders/{order['id']}/actions/create_order", {"version": order["version"]}
    )
    await client.api(
        "POST",
        f"/api/orders/{order['id']}/actions/ship",
        {"version": order["version"], "carrier": "ahamove"},
    )

    async def shipped() -> bool:
        now = await client.api("GET", f"/api/orders/{order['id']}")
        return now["status"] == "shipping"

    await eventually(shipped, "Ahamove taking the parcel", deadline_s=SERVE_DEADLINE_S)
    other = await client.api(
        "POST", "/api/orders", {"customer": BUYER, "lines": LINES, "shipping_fee": 30_000}
    )
    other = await client.api(
        "POST", f"/api/orders/{other['id']}/actions/create_order", {"version": other["version"]}
    )
    await client.api(
        "POST", f"/api/orders/{other['id']}/actions/send_to_shop", {"version": other["version"]}
    )

    async def handed() -> bool:
        return bool(fakes.pos.orders)

    await eventually(handed, "the POS taking the order", deadline_s=SERVE_DEADLINE_S)
    return token


async def test_no_secret_reaches_the_log_of_chotdon_serve(
    tmp_path: Path, root: str, fake: FakeTelegram, graph: FakeGraph, graph_url: str
):
    port = free_port()
    database = f"sqlite+aiosqlite:///{tmp_path / 'chotdon.db'}"
    async with open_fakes(KEYS) as fakes:
        settings = settings_for(database, fakes, **service_settings(root, graph_url))
        env = environment(settings.model_copy(update={"inbox_database_url": None}))
        await asyncio.to_thread(chotdon, tmp_path, env, "items", "import", str(SAMPLE_ITEMS))
        await asyncio.to_thread(
            chotdon, tmp_path, env, "staff", "add", str(STAFF), "--name", "Lan", "--role", "sales"
        )
        await asyncio.to_thread(
            chotdon, tmp_path, env, "live", "open", VIDEO, "--codes", "A1=AO-THUN-TRANG"
        )
        log_path = tmp_path / "serve.log"
        with log_path.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "chotdon",
                "serve",
                "--port",
                str(port),
                cwd=tmp_path,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=30, trust_env=False
            ) as http:
                await until_up(http, process, log_path)
                token = await serve_flows(Client(http), fake, graph, fakes)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), SERVE_DEADLINE_S) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

    text = log_path.read_text(encoding="utf-8", errors="backslashreplace")
    found = leaks(text.splitlines(), {**SECRETS, "login link": token[:20]})
    assert not found, "\n".join(f"{what}: {line}" for what, line in found)
    assert "worker process" in text and "outbox worker" in text  # the child's lines are here
    assert '"GET /webhooks/facebook?hub.mode=subscribe&hub.verify_token=*** ' in text
    assert '/webhooks/carriers/ghn?token=*** HTTP/1.1" 401' in text
    assert '/webhooks/carriers/ahamove?apikey=*** HTTP/1.1" 401' in text
    assert '/api/orders?token=*** HTTP/1.1" 401' in text
    assert '"GET /login/*** HTTP/1.1" 403' in text
    assert " httpx: " not in text  # URL-logging libraries are at WARNING by default


async def until_up(http: httpx.AsyncClient, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + SERVE_DEADLINE_S
    while True:
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.returncode is not None:
            pytest.fail(f"chotdon serve exited early:\n{await asyncio.to_thread(log.read_text)}")
        if time.monotonic() > deadline:
            pytest.fail(f"chotdon serve did not answer within {SERVE_DEADLINE_S} s")
        await asyncio.sleep(0.1)
