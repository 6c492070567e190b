"""A shop running the whole service over real HTTP, with the four fake carriers and a fake POS
on loopback: what the service-level carrier tests drive.

`open_shop` starts the fakes, then the app (API, webhook routes, inbox processor and outbox
worker) with every carrier's settings pointing at its fake, and seeds the catalog. `Shop` talks
to it as an integration and as the carriers do: the JSON API with the bearer token, and each
carrier's webhooks with that carrier's own kind of secret.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from chotdon.access_log import AccessLog
from chotdon.app import create_app
from chotdon.runtime import RUNTIME, Pace
from kernel.inbox.tables import InboxMessage
from kernel.outbox.jobs import OutboxJob
from kernel.work_status import WorkStatus
from orders.catalog import ItemRow, import_items
from orders.shipper_kinds import CARRIERS
from tests.conftest import API_TOKEN, make_settings
from tests.factories import ITEMS
from tests.fakes.ahamove import FakeAhamove
from tests.fakes.ghn import FakeGhn
from tests.fakes.ghtk import FakeGhtk
from tests.fakes.pos import FakePos
from tests.fakes.viettelpost import FakeViettelPost
from tests.helpers import eventually

FINISHED = frozenset({WorkStatus.DONE, WorkStatus.DEAD, WorkStatus.SKIPPED})

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
FIXTURES = Path(__file__).parent / "fixtures" / "carriers"
FORM = "application/x-www-form-urlencoded"

# Retries in tens of milliseconds and carrier calls that give up in two seconds, so waiting,
# timeouts and backoff happen for real within a test's time (half a second was missed by a
# loaded machine's loopback answers, and a quote came back as an error).
FAST = Pace(
    outbox_poll_s=0.05,
    outbox_backoff_base_s=0.05,
    outbox_backoff_cap_s=0.1,
    carrier_timeout_s=2.0,
)

# For tests that watch a carrier being retried and then bring it back: the job keeps trying
# for seconds rather than giving up within one.
PATIENT = replace(FAST, outbox_backoff_cap_s=0.5)

GHN_TOKEN, GHN_SHOP_ID, GHN_WEBHOOK_TOKEN = "ghn-api-token", 885, "ghn-webhook-secret"
GHTK_TOKEN, GHTK_CLIENT_SOURCE, GHTK_HASH = "ghtk-api-token", "S22737331", "s3cr3t-from-config"
VTP_TOKEN, VTP_WEBHOOK_TOKEN = "vtp-partner-jwt", "vtp-webhook-secret"  # fixtures carry this one
AHAMOVE_TOKEN, AHAMOVE_WEBHOOK_KEY = "aha-partner-token", "aha-webhook-key"
POS_SECRET = "pos-shared-secret"

SHOP = {
    "shop_name": "Shop Thời Trang Mai",
    "shop_phone": "0912345678",
    "shop_address": "12 Lý Tự Trọng, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
}
# In the shop's own city, so every carrier (Ahamove rides within one city) takes the parcel,
# and a place every fake carrier's master data knows.
BUYER = {
    "name": "Trần Văn Nam",
    "phone": "0903123456",
    "address": "45 Lê Lợi",
    "ward": "Phường Bến Thành",
    "district": "Quận 1",
    "province": "Thành phố Hồ Chí Minh",
}
BUYER_HANOI = {
    "name": "Nguyễn Thị Hoa",
    "phone": "0987654321",
    "address": "25 Ngõ 4 Phố Huế",
    "ward": "Phường Phạm Đình Hổ",
    "district": "Quận Hai Bà Trưng",
    "province": "Thành phố Hà Nội",
}
# 2 x A1 (150,000 đ) and 1 x B3 (320,000 đ) with 30,000 đ shipping: 650,000 đ, the COD the
# carriers' webhook fixtures report.
LINES = [{"code": "A1", "quantity": 2}, {"code": "B3", "quantity": 1}]
TOTAL = 650_000


@dataclass
class Fakes:
    ghn: FakeGhn
    ghtk: FakeGhtk
    viettelpost: FakeViettelPost
    ahamove: FakeAhamove
    pos: FakePos
    urls: dict[str, str]

    def of(self, carrier: str) -> Any:
        return getattr(self, carrier)

    def shipments_for(self, carrier: str, order_code: str) -> int:
        """How many shipments the carrier holds for our order code."""
        if carrier == "ghn":
            return sum(o.client_order_code == order_code for o in self.ghn.orders.values())
        if carrier == "ghtk":
            return sum(s.partner_id == order_code for s in self.ghtk.shipments.values())
        if carrier == "viettelpost":
            return sum(o.reference == order_code for o in self.viettelpost.orders.values())
        return len(self.ahamove.orders_for(order_code))

    def release(self) -> None:
        for carrier in CARRIERS:
            self.of(carrier).faults.release()


def settings_for(db_url: str, fakes: Fakes, **overrides: object):
    values: dict[str, object] = {
        **SHOP,
        "ghn_api_url": fakes.urls["ghn"],
        "ghn_token": GHN_TOKEN,
        "ghn_shop_id": GHN_SHOP_ID,
        "ghn_webhook_token": GHN_WEBHOOK_TOKEN,
        "ghtk_api_url": fakes.urls["ghtk"],
        "ghtk_token": GHTK_TOKEN,
        "ghtk_client_source": GHTK_CLIENT_SOURCE,
        "ghtk_webhook_hash": GHTK_HASH,
        "viettelpost_api_url": fakes.urls["viettelpost"],
        "viettelpost_token": VTP_TOKEN,
        "viettelpost_webhook_token": VTP_WEBHOOK_TOKEN,
        "ahamove_api_url": fakes.urls["ahamove"],
        "ahamove_token": AHAMOVE_TOKEN,
        "ahamove_webhook_key": AHAMOVE_WEBHOOK_KEY,
        "ahamove_service_id": "SGN-BIKE",
        "shop_handoff_url": fakes.urls["pos"],
        "shop_handoff_secret": POS_SECRET,
    }
    values.update(overrides)
    return make_settings(db_url, **values)


@dataclass
class Shop:
    client: TestClient
    fakes: Fakes
    api_token: str = API_TOKEN

    # -- the JSON API -------------------------------------------------------------------------

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        auth = {"Authorization": f"Bearer {self.api_token}"}
        async with self.client.request(method, path, json=body, headers=auth) as response:
            return response.status, await response.json()

    async def create(self, **fields: Any) -> dict[str, Any]:
        body = {"customer": BUYER, "lines": LINES, "shipping_fee": 30_000, **fields}
        status, order = await self.call("POST", "/api/orders", body)
        assert status == 201, order
        return order

    async def try_act(self, order: dict[str, Any], action: str, **fields: Any):
        path = f"/api/orders/{order['id']}/actions/{action}"
        return await self.call("POST", path, {"version": order["version"], **fields})

    async def act(self, order: dict[str, Any], action: str, **fields: Any) -> dict[str, Any]:
        status, moved = await self.try_act(order, action, **fields)
        assert status == 200, moved
        return moved

    async def order(self, order_id: int) -> dict[str, Any]:
        status, order = await self.call("GET", f"/api/orders/{order_id}")
        assert status == 200, order
        return order

    async def wait_for(
        self, order_id: int, check: Callable[[dict[str, Any]], bool], what: str
    ) -> dict[str, Any]:
        async def seen() -> dict[str, Any] | None:
            order = await self.order(order_id)
            return order if check(order) else None

        return await eventually(seen, what)

    async def debt(self) -> dict[str, Any]:
        status, debt = await self.call("GET", "/api/shippers/debt")
        assert status == 200, debt
        return debt

    async def owed_by(self, carrier: str) -> dict[int, int]:
        """Order id -> COD that `carrier` still owes for it."""
        shippers = (await self.debt())["shippers"]
        return {
            order["id"]: order["amount"]
            for shipper in shippers
            if shipper["shipper"] == carrier
            for order in shipper["orders"]
        }

    async def stock(self) -> dict[str, int]:
        status, items = await self.call("GET", "/api/items")
        assert status == 200, items
        return {item["sku"]: item["stock"] for item in items["items"]}

    async def ship(self, order: dict[str, Any], carrier: str) -> dict[str, Any]:
        """`ship` as staff tap it, and the carrier's yes through the outbox job."""
        asked = await self.act(order, "ship", carrier=carrier)
        assert asked["shipper"]["state"] == "requesting", asked
        return await self.wait_for(
            order["id"], lambda o: o["status"] == "shipping", f"{carrier} accepts the shipment"
        )

    async def shipping_order(self, carrier: str, **fields: Any) -> dict[str, Any]:
        order = await self.act(await self.create(**fields), "create_order")
        return await self.ship(order, carrier)

    # -- carriers' webhooks -------------------------------------------------------------------

    async def webhook(
        self,
        carrier: str,
        body: bytes,
        content_type: str = "application/json",
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """POST as `carrier` does; `query` and `headers` default to its right secret."""
        if query is None:
            query = {"ghn": {"token": GHN_WEBHOOK_TOKEN}, "ghtk": {"hash": GHTK_HASH}}.get(
                carrier, {}
            )
        if headers is None:
            headers = {"apikey": AHAMOVE_WEBHOOK_KEY} if carrier == "ahamove" else {}
        async with self.client.post(
            f"/webhooks/carriers/{carrier}",
            data=body,
            params=query,
            headers={"Content-Type": content_type, **headers},
        ) as response:
            return response.status, await response.json()

    async def report(self, carrier: str, name: str, order: dict[str, Any]) -> None:
        """Post the fixture file `name` for `order` and wait until the service has handled it."""
        body, content_type = fixture(carrier, name, order)
        before = await self.inbox_count()
        status, answer = await self.webhook(carrier, body, content_type)
        assert (status, answer) == (200, {"status": "stored"})
        await self.settled(before + 1)

    # -- what the service did with them ---------------------------------------------------------

    @property
    def app(self) -> web.Application:
        assert self.client.server.app is not None
        return self.client.server.app

    async def inbox(self) -> list[InboxMessage]:
        async with self.app[RUNTIME].orders.reading() as session:
            return list(await session.scalars(select(InboxMessage).order_by(InboxMessage.id)))

    async def inbox_count(self) -> int:
        async with self.app[RUNTIME].orders.reading() as session:
            return await session.scalar(select(func.count()).select_from(InboxMessage)) or 0

    async def settled(self, count: int) -> list[InboxMessage]:
        """Wait until `count` bodies are stored and each is done or failed; all of them."""

        async def all_settled() -> bool:
            async with self.app[RUNTIME].orders.reading() as session:
                rows = dict(
                    (
                        await session.execute(
                            select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
                        )
                    ).all()
                )
            finished = rows.get(WorkStatus.DONE, 0) + rows.get(WorkStatus.FAILED, 0)
            return finished >= count and finished == sum(rows.values())

        await eventually(all_settled, f"{count} webhook bodies processed")
        return await self.inbox()

    async def jobs(self, kind: str) -> list[OutboxJob]:
        async with self.app[RUNTIME].orders.reading() as session:
            query = select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id)
            return list(await session.scalars(query))

    async def finished_jobs(self, kind: str) -> list[OutboxJob]:
        """The jobs of `kind` once none is pending or running: a handler's change of the order
        commits in its own transaction, and the worker marks the job done just after it."""

        async def settled() -> list[OutboxJob]:
            jobs = await self.jobs(kind)
            return jobs if jobs and all(job.status in FINISHED for job in jobs) else []

        return await eventually(settled, f"every {kind} job finished")


def fixture(carrier: str, name: str, order: dict[str, Any]) -> tuple[bytes, str]:
    """A stored webhook sample about `order`: its placeholders filled with the order's tracking
    code and our order code (form-encoded where the file is a form)."""
    text = (FIXTURES / carrier / name).read_text(encoding="utf-8")
    tracking, code = order["shipper"]["tracking_code"], order["code"]
    form = name.endswith(".form")
    if form:
        tracking, code = quote(tracking, safe=""), quote(code, safe="")
    body = text.replace("{{TRACKING}}", tracking).replace("{{ORDER_CODE}}", code).encode()
    return body, FORM if form else "application/json"


def expected_reports(carrier: str) -> dict[str, list[dict[str, Any]]]:
    return json.loads((FIXTURES / carrier / "expected.json").read_text(encoding="utf-8"))


@asynccontextmanager
async def _served(app: web.Application) -> AsyncIterator[TestServer]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@dataclass(frozen=True)
class ApiKeys:
    """What each fake far end expects from us: the carriers' API tokens, the POS's secret."""

    ghn: str = GHN_TOKEN
    ghtk: str = GHTK_TOKEN
    viettelpost: str = VTP_TOKEN
    ahamove: str = AHAMOVE_TOKEN
    pos: str = POS_SECRET


@asynccontextmanager
async def open_fakes(keys: ApiKeys = ApiKeys()) -> AsyncIterator[Fakes]:
    ghn, ghtk = FakeGhn(token=keys.ghn, shop_id=GHN_SHOP_ID), FakeGhtk(token=keys.ghtk)
    vtp, ahamove = FakeViettelPost(token=keys.viettelpost), FakeAhamove(token=keys.ahamove)
    pos = FakePos(keys.pos)
    async with (
        _served(ghn.app()) as ghn_server,
        _served(ghtk.app()) as ghtk_server,
        _served(vtp.app()) as vtp_server,
        _served(ahamove.app()) as ahamove_server,
        _served(pos.app()) as pos_server,
    ):
        urls = {
            "ghn": str(ghn_server.make_url("/shiip/public-api")),
            "ghtk": str(ghtk_server.make_url("")).rstrip("/"),
            "viettelpost": str(vtp_server.make_url("")).rstrip("/"),
            "ahamove": str(ahamove_server.make_url("")).rstrip("/"),
            "pos": str(pos_server.make_url("/pos/orders")),
        }
        fakes = Fakes(ghn, ghtk, vtp, ahamove, pos, urls)
        try:
            yield fakes
        finally:
            fakes.release()  # held requests end before their servers close


@asynccontextmanager
async def open_shop(
    db_url: str,
    *,
    stock: int | None = None,
    pace: Pace = FAST,
    run_worker: bool = True,
    keys: ApiKeys = ApiKeys(),
    **settings: object,
) -> AsyncIterator[Shop]:
    """The service on `db_url` against fresh fakes. `stock` replaces every item's stock (a
    shop serving many tests needs more than the factories' catalog holds). `keys`: what the
    fakes expect; the settings must then say the same. Requests are logged as `serve` logs
    them (`chotdon.access_log`)."""
    async with open_fakes(keys) as fakes:
        app = create_app(settings_for(db_url, fakes, **settings), pace=pace, run_worker=run_worker)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server(access_log_class=AccessLog)  # not taken by the constructor
        client = TestClient(server)
        await client.start_server()
        try:
            rows = [
                ItemRow(
                    r.sku, r.name, r.price, r.stock if stock is None else stock, r.weight_g, r.code
                )
                for r in ITEMS
            ]
            async with app[RUNTIME].sessions.begin() as session:
                await import_items(session, rows)
            yield Shop(client, fakes, str(settings.get("api_token", API_TOKEN)))
        finally:
            fakes.release()
            await client.close()
