"""The bank's transfer notifications end to end in one process, on SQLite and PostgreSQL:
SePay's bodies posted to the real route with its `Apikey` header, kept by the real inbox and
applied by the real processor; what staff and integrations then read through the JSON API
(`payment` on the order, `/api/payments`, attach, shipping an unpaid transfer order)."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.bank_transfers import Direction, Outcome, Transfer, record
from application.services import OrderService
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.inbox.tables import InboxMessage
from kernel.storable import storable
from orders.actors import Actor
from orders.changes import OrderChanges
from orders.tables import Order, Payment
from orders.vietqr import fields_of
from tests.conftest import API_TOKEN, make_settings
from tests.factories import draft, seed_items
from tests.helpers import eventually

KEY = "sepay-key-7f3a9c1e5b"
BIN, ACCOUNT, HOLDER = "970436", "0011001932418", "NGUYEN THI HOA"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
CUSTOMER = {
    "name": "Nguyễn Thị Hoa",
    "phone": "0912345678",
    "address": "12 Lý Thường Kiệt",
    "ward": "Phường Cửa Nam",
    "district": "",
    "province": "Thành phố Hà Nội",
}
TOTAL = 2 * 150_000 + 30_000  # two A1 and the shipping fee
SHIPPER = {"carrier": "individual", "shipper_name": "Anh Tuấn", "shipper_phone": "0987654321"}
_ids = itertools.count(92_704)
T = TypeVar("T")


def app_settings(db_url: str, **overrides: object) -> Any:
    values: dict[str, object] = {
        "bank_webhook_key": KEY,
        "bank_bin": BIN,
        "bank_account": ACCOUNT,
        "bank_account_name": HOLDER,
    }
    values.update(overrides)
    return make_settings(db_url, **values)


async def start(aiohttp_client, db_url: str, **overrides: object) -> TestClient:
    app = create_app(app_settings(db_url, **overrides), run_worker=False, run_bot=False)
    client = await aiohttp_client(app)
    await seed_items(app[RUNTIME].sessions)
    return client


@pytest.fixture
async def client(aiohttp_client, db_url: str) -> TestClient:
    return await start(aiohttp_client, db_url)


# -- what SePay sends ------------------------------------------------------------------------


def sepay(
    content: str,
    amount: int | str = TOTAL,
    *,
    kind: str = "in",
    code: str | None = None,
    id_: int | None = None,
    date: str = "2026-12-07 14:02:37",
) -> dict[str, Any]:
    return {
        "id": next(_ids) if id_ is None else id_,
        "gateway": "Vietcombank",
        "transactionDate": date,
        "accountNumber": ACCOUNT,
        "code": code,
        "content": content,
        "transferType": kind,
        "transferAmount": amount,
        "accumulated": 19_077_000,
        "subAccount": None,
        "referenceCode": "MBVCB.3278907687",
        "description": f"BankAPINotify {content}",
    }


async def post_bank(
    client: TestClient, body: Any, *, key: str | None = KEY, raw: bytes | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Apikey {key}"
    data = raw if raw is not None else json.dumps(body).encode()
    async with client.post("/webhooks/bank", data=data, headers=headers) as response:
        return response.status, await response.json()


async def deliver(client: TestClient, body: Any) -> None:
    status, answer = await post_bank(client, body)
    assert (status, answer) == (200, {"success": True})


async def settled(client: TestClient) -> None:
    sessions = client.app[RUNTIME].sessions

    async def quiet() -> bool:
        async with sessions() as session:
            waiting = await session.scalar(
                select(func.count()).where(InboxMessage.status.in_(["pending", "processing"]))
            )
        return waiting == 0

    await eventually(quiet, "every stored bank body is applied or parked")


async def counts(client: TestClient) -> tuple[int, int]:
    """Inbox rows and payments kept."""
    async with client.app[RUNTIME].sessions() as session:
        inbox = await session.scalar(select(func.count()).select_from(InboxMessage))
        kept = await session.scalar(select(func.count()).select_from(Payment))
    return int(inbox or 0), int(kept or 0)


# -- what an integration does ----------------------------------------------------------------


async def call(client: TestClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with client.request(method, path, json=body, headers=AUTH) as response:
        return response.status, await response.json()


async def ok(client: TestClient, method: str, path: str, body: Any = None) -> Any:
    status, answer = await call(client, method, path, body)
    assert status in (200, 201), answer
    return answer


async def new_order(
    client: TestClient, method: str = "transfer", deposit: int | None = None, *, create=True
) -> dict[str, Any]:
    order = await ok(
        client,
        "POST",
        "/api/orders",
        {"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 2}], "shipping_fee": 30_000},
    )
    payment: dict[str, Any] = {"method": method}
    if deposit is not None:
        payment["deposit"] = deposit
    order = await ok(
        client,
        "PATCH",
        f"/api/orders/{order['id']}",
        {"version": order["version"], "payment": payment},
    )
    if create:
        order = await act(client, order, "create_order")
    return order


async def act(client: TestClient, order: dict[str, Any], action: str, **fields: Any) -> Any:
    return await ok(
        client,
        "POST",
        f"/api/orders/{order['id']}/actions/{action}",
        {"version": order["version"], **fields},
    )


async def read(client: TestClient, order: dict[str, Any]) -> dict[str, Any]:
    return await ok(client, "GET", f"/api/orders/{order['id']}")


def paid_by_bank(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in order["events"] if e["action"] == "record_payment"]


# -- a transfer pays its order once ----------------------------------------------------------


async def test_a_transfer_naming_the_order_pays_it_once_however_often_it_comes(client):
    spellings = [
        "{code} chuyen khoan",
        "thanh toan {lower}",
        "CK {spaced} mua ao",
        "IBFT {dotted}",
        "{dashed}-0912345678",
    ]
    orders = [await new_order(client) for _ in spellings]
    bodies = []
    for order, spelling in zip(orders, spellings, strict=True):
        code = order["code"]
        assert order["payment"]["vietqr"] is not None  # asked, until it is paid
        content = spelling.format(
            code=code,
            lower=code.lower(),
            spaced=f"{code[:2].lower()} {code[2:5]} {code[5:]}",
            dotted=".".join(code),
            dashed=f"{code[:2]}-{code[2:]}",
        )
        bodies.append(sepay(content))
    for body in bodies:
        for _ in range(5):  # SePay retries a delivery it thought failed
            await deliver(client, body)
    await asyncio.gather(*(deliver(client, body) for body in bodies for _ in range(5)))
    await settled(client)

    for order, body in zip(orders, bodies, strict=True):
        paid = await read(client, order)
        assert paid["payment"] == {
            "method": "transfer",
            "deposit": None,
            "paid": TOTAL,
            "due": 0,
            "overpaid": 0,
            "transfer_asked": 0,
            "vietqr": None,
        }, body["content"]
        assert paid["cod_amount"] == 0
        assert paid["status"] == "waiting_for_shipping"  # money never moves the status
        [event] = paid_by_bank(paid)
        assert (event["source"], event["actor"]) == ("bank", "Vietcombank")
        assert event["details"]["amount"] == TOTAL
        assert event["details"]["reference"] == "MBVCB.3278907687"
    inbox, kept = await counts(client)
    assert (inbox, kept) == (len(bodies) * 10, len(bodies))
    listed = (await ok(client, "GET", "/api/payments"))["payments"]
    assert {p["order_id"] for p in listed} == {o["id"] for o in orders}
    assert {p["state"] for p in listed} == {"applied"}
    # The bank's wall clock in Vietnam, kept as UTC.
    assert {p["at"] for p in listed} == {"2026-12-07T07:02:37+00:00"}


async def test_sepays_detected_code_is_searched_too(client):
    order = await new_order(client)
    await deliver(client, sepay("chuyen tien mua hang", code=order["code"]))
    await settled(client)
    assert (await read(client, order))["payment"]["paid"] == TOTAL


async def test_a_deposit_lowers_the_cod_to_what_is_left(client):
    order = await new_order(client, "deposit", 100_000)
    assert (order["payment"]["deposit"], order["cod_amount"]) == (100_000, TOTAL)
    fields = fields_of(order["payment"]["vietqr"])
    assert (fields["54"], fields["62"]) == ("100000", f"0808{order['code']}")

    await deliver(client, sepay(f"coc {order['code']}", 100_000))
    await settled(client)

    paid = await read(client, order)
    assert paid["payment"]["paid"] == 100_000
    assert paid["payment"]["due"] == paid["cod_amount"] == TOTAL - 100_000
    assert paid["payment"]["vietqr"] is None  # the deposit is in; the rest is COD
    shipped = await act(client, paid, "ship", **SHIPPER)  # no approval asked
    assert shipped["status"] == "shipping"


async def test_an_overpayment_shows_a_negative_due(client):
    order = await new_order(client)
    await deliver(client, sepay(order["code"], TOTAL + 170_000))
    await settled(client)
    paid = await read(client, order)
    assert (paid["payment"]["due"], paid["payment"]["overpaid"]) == (-170_000, 170_000)
    assert paid["cod_amount"] == 0
    [event] = paid_by_bank(paid)
    assert event["details"]["overpaid"] == 170_000


async def test_the_list_filters_orders_by_where_their_money_stands(client):
    awaiting, overpaid = await new_order(client), await new_order(client)
    cod = await new_order(client, "cod")
    await deliver(client, sepay(overpaid["code"], TOTAL + 10_000))
    await settled(client)

    def codes(page: dict[str, Any]) -> set[str]:
        return {o["code"] for o in page["orders"]} & {
            awaiting["code"],
            overpaid["code"],
            cod["code"],
        }

    listed = await ok(client, "GET", "/api/orders?payment=awaiting_transfer")
    assert codes(listed) == {awaiting["code"]}
    assert codes(await ok(client, "GET", "/api/orders?payment=overpaid")) == {overpaid["code"]}
    status, refused = await call(client, "GET", "/api/orders?payment=paid")
    assert (status, refused["params"]["field"]) == (422, "payment")


async def test_an_outgoing_transfer_is_kept_and_ignored(client):
    order = await new_order(client)
    await deliver(client, sepay(f"hoan tien {order['code']}", kind="out"))
    await settled(client)
    assert (await read(client, order))["payment"]["paid"] == 0
    [kept] = (await ok(client, "GET", "/api/payments"))["payments"]
    assert (kept["state"], kept["direction"], kept["order_id"]) == ("ignored", "out", None)
    assert (await ok(client, "GET", "/api/payments?unmatched=1"))["payments"] == []


# -- shipping a transfer order ---------------------------------------------------------------


async def test_an_unpaid_transfer_order_ships_only_when_approved(client):
    unpaid, paid = await new_order(client), await new_order(client)
    await deliver(client, sepay(paid["code"]))
    await settled(client)

    paid = await read(client, paid)
    assert (await act(client, paid, "ship", **SHIPPER))["status"] == "shipping"

    status, refused = await call(
        client,
        "POST",
        f"/api/orders/{unpaid['id']}/actions/ship",
        {"version": unpaid["version"], **SHIPPER},
    )
    assert status == 409
    assert (refused["error"], refused["reason"]) == ("awaiting_payment", "awaiting_payment")
    assert refused["params"]["asked"] == TOTAL and refused["params"]["paid"] == 0
    assert unpaid["code"] in refused["message"]

    shipped = await act(client, unpaid, "ship", approve_unpaid=True, **SHIPPER)
    assert shipped["status"] == "shipping"
    [ship] = [e for e in shipped["events"] if e["action"] == "ship"]
    assert ship["details"]["approved_unpaid"] is True
    assert ship["details"]["awaited"] == TOTAL


async def test_a_batch_ship_asks_for_unpaid_orders_too(client):
    first, second = await new_order(client), await new_order(client)
    body = {"ids": [first["id"], second["id"]], "action": "ship", **SHIPPER}
    results = (await ok(client, "POST", "/api/orders/batch", body))["results"]
    assert [(r["ok"], r.get("error")) for r in results] == [(False, "awaiting_payment")] * 2

    results = (await ok(client, "POST", "/api/orders/batch", {**body, "approve_unpaid": True}))[
        "results"
    ]
    assert [(r["ok"], r["status"]) for r in results] == [(True, "shipping")] * 2
    shipped = await read(client, first)
    [ship] = [e for e in shipped["events"] if e["action"] == "ship"]
    assert ship["details"]["approved_unpaid"] is True


async def test_a_batch_cannot_record_payments(client):
    order = await new_order(client)
    status, refused = await call(
        client, "POST", "/api/orders/batch", {"ids": [order["id"]], "action": "record_payment"}
    )
    assert status == 422 and refused["reason"] == "unknown_action"


# -- the method and money noted by hand ------------------------------------------------------


async def test_the_method_is_set_through_patch_and_bad_values_are_named(client):
    order = await new_order(client, "cod", create=False)
    assert order["payment"] == {
        "method": "cod",
        "deposit": None,
        "paid": 0,
        "due": TOTAL,
        "overpaid": 0,
        "transfer_asked": 0,
        "vietqr": None,
    }
    path = f"/api/orders/{order['id']}"
    for payment, field in [
        ({"method": 3}, "payment.method"),
        ({"method": "transfer", "deposit": "100000"}, "payment.deposit"),
        ({"method": "deposit", "deposit": -1}, "payment.deposit"),
        ("transfer", "payment"),
    ]:
        status, refused = await call(
            client, "PATCH", path, {"version": order["version"], "payment": payment}
        )
        assert (status, refused["field"]) == (422, field), refused
    status, refused = await call(
        client, "PATCH", path, {"version": order["version"], "payment": {"method": "bitcoin"}}
    )
    assert (status, refused["reason"]) == (422, "unknown_payment_method")
    status, refused = await call(
        client, "PATCH", path, {"version": order["version"], "payment": {"method": "deposit"}}
    )
    assert (status, refused["reason"]) == (422, "deposit_needed")
    status, refused = await call(
        client,
        "PATCH",
        path,
        {"version": order["version"], "payment": {"method": "deposit", "deposit": TOTAL + 1}},
    )
    assert (status, refused["reason"]) == (422, "deposit_too_large")

    changed = await ok(
        client, "PATCH", path, {"version": order["version"], "payment": {"method": "transfer"}}
    )
    assert changed["payment"]["method"] == "transfer" and changed["cod_amount"] == 0
    edit = changed["events"][-1]
    assert edit["action"] == "edit" and edit["details"]["payment"] == [["cod", 0], ["transfer", 0]]


async def test_record_payment_notes_money_received_by_hand(client):
    order = await new_order(client, "cod")
    path = f"/api/orders/{order['id']}/actions/record_payment"
    paid = await ok(client, "POST", path, {"amount": 50_000, "reference": "tiền mặt tại shop"})
    assert paid["payment"]["paid"] == 50_000
    assert paid["cod_amount"] == TOTAL - 50_000
    assert paid["status"] == order["status"]
    [event] = paid_by_bank(paid)
    assert (event["source"], event["details"]["reference"]) == ("api", "tiền mặt tại shop")

    status, refused = await call(client, "POST", path, {})
    assert (status, refused["reason"]) == (422, "payment_needed")
    status, refused = await call(client, "POST", path, {"amount": 0})
    assert (status, refused["reason"]) == (422, "payment_needed")
    status, refused = await call(client, "POST", path, {"amount": "50000"})
    assert (status, refused["field"]) == (422, "amount")
    status, refused = await call(client, "POST", path, {"amount": 1, "version": order["version"]})
    assert (status, refused["error"]) == (409, "stale_version")
    status, refused = await call(
        client, "POST", f"/api/orders/{order['id']}/actions/cancel", {"amount": 1}
    )
    assert (status, refused["field"]) == (422, "amount")


# -- transfers nothing matched ---------------------------------------------------------------


async def test_an_unmatched_transfer_is_listed_and_attached_once(client):
    first, second = await new_order(client), await new_order(client)
    bodies = [
        sepay("chuyen tien mua ao", 120_000),
        sepay("DH999999", 130_000),
        sepay(f"{first['code']} {second['code']}", 140_000),
    ]
    for body in bodies:
        await deliver(client, body)
    await settled(client)

    listed = (await ok(client, "GET", "/api/payments?unmatched=1"))["payments"]
    assert [(p["amount"], p["note"], p["order_id"]) for p in listed] == [
        (140_000, "several_orders", None),
        (130_000, "unknown_code", None),
        (120_000, "no_code", None),
    ]
    assert set(listed[0]) >= {"id", "amount", "content", "at", "reference", "order_id"}
    assert listed[2]["content"] == "chuyen tien mua ao"
    assert listed[2]["reference"] == "MBVCB.3278907687"

    path = f"/api/payments/{listed[0]['id']}/attach"
    attached = await ok(client, "POST", path, {"order_id": first["id"]})
    assert attached["id"] == first["id"] and attached["payment"]["paid"] == 140_000
    [event] = paid_by_bank(attached)
    assert (event["source"], event["details"]["payment_id"]) == ("api", listed[0]["id"])

    status, refused = await call(client, "POST", path, {"order_id": second["id"]})
    assert (status, refused["reason"]) == (422, "payment_settled")
    status, refused = await call(client, "POST", path, {"order_id": first["id"]})
    assert status == 422
    assert (await read(client, first))["payment"]["paid"] == 140_000
    assert (await read(client, second))["payment"]["paid"] == 0

    remaining = (await ok(client, "GET", "/api/payments?unmatched=1"))["payments"]
    assert [p["id"] for p in remaining] == [listed[1]["id"], listed[2]["id"]]
    [applied] = [
        p for p in (await ok(client, "GET", "/api/payments"))["payments"] if p["state"] == "applied"
    ]
    assert (applied["order_id"], applied["order_code"]) == (first["id"], first["code"])

    for bad_path, body, expected in [
        ("/api/payments/99999/attach", {"order_id": first["id"]}, (404, "no_payment")),
        ("/api/payments/abc/attach", {"order_id": first["id"]}, (404, None)),
        (f"/api/payments/{listed[1]['id']}/attach", {"order_id": "1"}, (422, None)),
        (f"/api/payments/{listed[1]['id']}/attach", {"order_id": 99_999}, (404, "no_order")),
    ]:
        status, refused = await call(client, "POST", bad_path, body)
        assert (status, refused.get("reason") if expected[1] else None) == expected, refused
    status, refused = await call(client, "GET", "/api/payments?unmatched=maybe")
    assert (status, refused["field"]) == (422, "unmatched")
    async with client.get("/api/payments") as answer:
        assert answer.status == 401  # the bearer token gate covers it


async def test_money_for_a_cancelled_order_waits_for_staff(client):
    order = await new_order(client)
    await act(client, order, "cancel")
    await deliver(client, sepay(f"{order['code']} chuyen khoan", 90_000))
    await settled(client)

    [listed] = (await ok(client, "GET", "/api/payments?unmatched=1"))["payments"]
    assert (listed["amount"], listed["note"], listed["order_id"]) == (
        90_000,
        "order_cancelled",
        None,
    )
    assert (await read(client, order))["payment"]["paid"] == 0


# -- who may post ----------------------------------------------------------------------------


async def test_a_wrong_or_missing_key_is_401_and_nothing_is_stored(client):
    order = await new_order(client)
    body = sepay(order["code"])
    for key in ["guess", "", KEY[:-1], KEY + "x", " "]:
        status, answer = await post_bank(client, body, key=key)
        assert (status, answer["error"]) == (401, "unauthorized"), key
    status, _ = await post_bank(client, body, key=None)
    assert status == 401
    for header in [f"Bearer {KEY}", KEY, f"Apikey{KEY}", f"Basic {KEY}"]:
        async with client.post(
            "/webhooks/bank", json=body, headers={"Authorization": header}
        ) as response:
            assert response.status == 401, header
    # Bytes no text encoding expects, sent as they are: refused, never a 500.
    host, port = client.server.host, client.server.port
    for raw in [b"Apikey \xff\xfe\x80", b"Apikey " + KEY.encode() + b"\xc3", b"\xed\xa0\x80"]:
        reader, writer = await asyncio.open_connection(host, port)
        payload = json.dumps(body).encode()
        writer.write(
            b"POST /webhooks/bank HTTP/1.1\r\nHost: x\r\nAuthorization: "
            + raw
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(payload)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + payload
        )
        await writer.drain()
        status_line = await reader.readline()
        writer.close()
        assert status_line.split()[1] in (b"400", b"401"), (raw, status_line)
    assert await counts(client) == (0, 0)

    status, answer = await post_bank(client, None, raw=b"x" * (64 * 1024 + 1))
    assert (status, answer["error"]) == (413, "too_large")
    assert await counts(client) == (0, 0)
    assert (await read(client, order))["payment"]["paid"] == 0

    # The scheme is read without case, as HTTP's are.
    async with client.post(
        "/webhooks/bank", json=body, headers={"Authorization": f"APIKEY  {KEY} "}
    ) as response:
        assert response.status == 200


async def test_no_key_set_is_503_and_nothing_is_stored(aiohttp_client, db_url):
    client = await start(aiohttp_client, db_url, bank_webhook_key="")
    for key in [None, "", "anything"]:
        status, answer = await post_bank(client, sepay("DH000001"), key=key)
        assert (status, answer["error"]) == (503, "not_configured")
    assert await counts(client) == (0, 0)


async def test_no_bank_account_means_no_vietqr(aiohttp_client, db_url):
    client = await start(aiohttp_client, db_url, bank_bin="", bank_account="")
    order = await new_order(client)
    assert order["payment"]["transfer_asked"] == TOTAL
    assert order["payment"]["vietqr"] is None


async def test_the_vietqr_asks_what_is_due_with_the_code_as_memo(client):
    order = await new_order(client)
    fields = fields_of(order["payment"]["vietqr"])
    assert fields["54"] == str(TOTAL) and fields["62"] == f"0808{order['code']}"
    assert BIN in fields["38"] and ACCOUNT in fields["38"]
    [listed] = [
        o for o in (await ok(client, "GET", "/api/orders"))["orders"] if o["id"] == order["id"]
    ]
    assert listed["payment"]["vietqr"] == order["payment"]["vietqr"]
    cancelled = await act(client, order, "cancel")
    assert cancelled["payment"]["vietqr"] is None


# -- bodies that are not transfers -----------------------------------------------------------


async def test_a_body_that_is_not_a_transfer_is_stored_and_parked_with_its_reason(client):
    order = await new_order(client)
    code = order["code"]
    bad = {
        b"not json at all": "not JSON",
        b"[1, 2, 3]": "not a JSON object",
        json.dumps({**sepay(code), "id": None}).encode(): "id must be",
        json.dumps({**sepay(code), "transferAmount": 0}).encode(): "transferAmount 0",
        json.dumps({**sepay(code), "transferAmount": -5}).encode(): "transferAmount -5",
        json.dumps({**sepay(code), "transferAmount": 10**13}).encode(): "is not between",
        json.dumps({**sepay(code), "transferAmount": "12,5"}).encode(): "whole number",
        json.dumps({**sepay(code), "transferType": "sideways"}).encode(): "transferType",
        b"[" * 100_00 + b"]" * 100_00: "not JSON",
    }
    for raw in bad:
        status, answer = await post_bank(client, None, raw=raw)
        assert (status, answer) == (200, {"success": True})
    await settled(client)
    async with client.app[RUNTIME].sessions() as session:
        rows = (
            await session.execute(
                select(InboxMessage.status, InboxMessage.last_error).order_by(InboxMessage.id)
            )
        ).all()
    assert [status for status, _ in rows] == ["failed"] * len(bad)
    for (_, error), reason in zip(rows, bad.values(), strict=True):
        assert "bank transfer not understood" in error and reason in error, error
    assert await counts(client) == (len(bad), 0)
    assert (await read(client, order))["payment"]["paid"] == 0

    # A numeric string amount and an id given as text are read.
    await deliver(client, {**sepay(code), "id": "FT2634", "transferAmount": "330000"})
    await settled(client)
    assert (await read(client, order))["payment"]["paid"] == TOTAL


# -- two processors racing on PostgreSQL -----------------------------------------------------


async def test_two_transactions_keeping_one_transfer_pay_once(db_url, sessions):
    """Two processors claim two deliveries of one transfer at once: the second waits on the
    first's row in the unique index, then finds it kept and changes nothing."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: two processors never race inside it")
    await seed_items(sessions)
    service = OrderService(sessions)
    order = await draft(service)
    order = await service.act(
        order.id,
        "edit",
        actor=Actor.api(),
        version=order.version,
        changes=OrderChanges(payment_method="transfer"),
    )
    transfer = Transfer("92704", Direction.IN, TOTAL, content=order.code or "")

    async def second() -> Outcome:
        async with sessions.begin() as session:
            return (await record(session, transfer)).outcome

    async with sessions.begin() as session:
        assert (await record(session, transfer)).outcome is Outcome.APPLIED
        racing = asyncio.create_task(second())

        async def waiting() -> bool:
            async with sessions() as probe:
                found = await probe.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                )
            return bool(found)

        await eventually(waiting, "the second transaction waits on the first's row")
    assert await racing is Outcome.DUPLICATE
    async with sessions() as session:
        paid = await session.scalar(select(Order.paid).where(Order.id == order.id))
        kept = await session.scalar(select(func.count()).select_from(Payment))
    assert (paid, kept) == (TOTAL, 1)


# -- any body at all -------------------------------------------------------------------------


class LoopThread:
    """An event loop in a thread of its own, so a synchronous hypothesis test can talk to one
    running app across all its examples."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture
def running(db_url: str) -> Iterator[tuple[LoopThread, TestClient]]:
    """The whole app on loopback with three transfer orders (DH000001 to DH000003)."""
    thread = LoopThread()
    app = create_app(app_settings(db_url), run_worker=False, run_bot=False)

    async def serve() -> TestClient:
        client = TestClient(TestServer(app))
        await client.start_server()
        return client

    client = thread.run(serve())
    try:
        thread.run(seed_items(app[RUNTIME].sessions))
        for _ in range(3):
            thread.run(new_order(client))
        yield thread, client
    finally:
        thread.run(client.close())
        thread.close()


ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
CONTENT = st.sampled_from(["DH000001", "ck dh 000-002", "DH000003 DH000001", "mua ao", ""])
TRANSFER = st.fixed_dictionaries(
    {},
    optional={
        "id": st.integers() | st.text(max_size=80) | ANY,
        "transferAmount": st.integers(-10, 10**11)
        | st.from_regex(r"\A[0-9]{1,12}(\.0+)?\Z")
        | st.floats()
        | ANY,
        "transferType": st.sampled_from(["in", "out", "IN", " out ", "x"]) | ANY,
        "content": CONTENT | st.text(max_size=60) | ANY,
        "code": st.none() | CONTENT | ANY,
        "transactionDate": st.sampled_from(["2026-12-07 14:02:37", "2026-13-40 99:00:00"]) | ANY,
        "referenceCode": st.text(max_size=200) | ANY,
        "gateway": st.text(max_size=100) | ANY,
        "accountNumber": st.text(max_size=100) | st.integers() | ANY,
    },
)
# Nearly SePay's: the fields that decide money well formed, the rest anything.
LIKELY = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**6) | st.text(min_size=1, max_size=20),
        "transferAmount": st.integers(1, 10**7) | st.from_regex(r"\A[1-9][0-9]{0,7}\Z"),
        "transferType": st.sampled_from(["in", "in", "out"]),
        "content": CONTENT | st.text(max_size=60),
    },
    optional={"code": st.none() | CONTENT | ANY, "transactionDate": ANY, "gateway": ANY},
)
BODY = (
    LIKELY.map(lambda body: json.dumps(body).encode())
    | TRANSFER.map(lambda body: json.dumps(body).encode())
    | ANY.map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=200)
)


def whole(value: Any) -> int | None:
    """The amount a body says, read independently of the handler."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().split(".")[0].isdigit():
        return int(value.strip().split(".")[0])
    return None


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODY)
def test_any_authenticated_body_is_applied_or_parked_never_lost_never_paid_from_garbage(
    running, body
):
    thread, client = running

    async def deliver_and_check() -> str:
        before = await counts(client)
        status, answer = await post_bank(client, None, raw=body)
        assert (status, answer) == (200, {"success": True})
        await settled(client)
        after = await counts(client)  # before opening a session: SQLite's pool holds one
        sessions: async_sessionmaker[AsyncSession] = client.app[RUNTIME].sessions
        async with sessions() as session:
            row = await session.scalar(select(InboxMessage).order_by(InboxMessage.id.desc()))
            assert row is not None and row.body == body
            assert row.status in ("done", "failed")
            if row.status == "failed":
                assert "bank transfer not understood" in (row.last_error or "")
            assert after[1] - before[1] in (0, 1)
            if after[1] > before[1]:  # kept: the body named an id and a sane amount
                assert row.status == "done"
                data = json.loads(body)
                kept = await session.scalar(select(Payment).order_by(Payment.id.desc()))
                assert kept is not None and kept.amount == whole(data["transferAmount"])
                assert kept.transaction_id == storable(str(data["id"]).strip(), -1)
            # Every order's paid is exactly what the transfers applied to it sent.
            paid = dict((await session.execute(select(Order.id, Order.paid))).all())
            applied = dict(
                (
                    await session.execute(
                        select(Payment.order_id, func.sum(Payment.amount))
                        .where(Payment.state == "applied")
                        .group_by(Payment.order_id)
                    )
                ).all()
            )
            assert {k: v for k, v in paid.items() if v} == applied
            if after[1] == before[1]:
                return row.status
            return (await session.scalar(select(Payment.state).order_by(Payment.id.desc()))) or ""

    event(thread.run(deliver_and_check()))  # how the bodies fell: --hypothesis-show-statistics
