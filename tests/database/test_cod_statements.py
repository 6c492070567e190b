"""Carriers' COD statements uploaded to the whole app over real HTTP (`POST /api/cod-statements`,
multipart), on SQLite and PostgreSQL: what is collected, what is reported, what the carrier
still owes afterwards (`GET /api/shippers/debt`), and that nothing is collected twice."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.cod_files import MAX_BYTES, read_statement
from chotdon.app import create_app
from orders.carrier_updates import CarrierStatus
from orders.tables import CodLedgerEntry, CodStatement, Order
from tests.cod_orders import (
    COD,
    HEADER,
    VIETNAMESE_HEADER,
    csv_bytes,
    delivered,
    in_days,
    reported,
    shipping,
    xlsx_bytes,
)
from tests.conftest import API_TOKEN, make_settings
from tests.factories import seed_items

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
URL = "/api/cod-statements"


async def upload(
    client: TestClient, data: bytes, filename: str = "doi-soat.csv", **extra: str
) -> tuple[int, Any]:
    form = FormData()
    for name, value in extra.items():
        form.add_field(name, value)
    form.add_field("file", data, filename=filename, content_type="application/octet-stream")
    async with client.post(URL, data=form, headers=AUTH) as response:
        return response.status, await response.json()


async def get(client: TestClient, path: str) -> Any:
    async with client.get(path, headers=AUTH) as response:
        assert response.status == 200, await response.text()
        return await response.json()


@pytest.fixture
async def client(aiohttp_client, db_url: str, sessions) -> TestClient:
    await seed_items(sessions)
    return await aiohttp_client(create_app(make_settings(db_url), run_worker=False))


async def ledger(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[Any, ...]]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                CodLedgerEntry.order_id,
                CodLedgerEntry.amount,
                CodLedgerEntry.statement_id,
                CodLedgerEntry.fee,
            ).order_by(CodLedgerEntry.id)
        )
        return [tuple(row) for row in rows.all()]


async def versions(sessions: async_sessionmaker[AsyncSession]) -> dict[int, tuple[int, str]]:
    async with sessions() as session:
        rows = await session.execute(select(Order.id, Order.version, Order.status))
        return {order_id: (version, status) for order_id, version, status in rows.all()}


# --- one statement: right, wrong and unknown rows ---------------------------------------------


async def test_a_statement_collects_the_right_rows_and_reports_the_rest(client, service, sessions):
    right = await delivered(service, "GHNRIGHT1")
    wrong = await delivered(service, "GHNWRONG2")
    file = csv_bytes(
        [
            HEADER,
            ("GHNRIGHT1", '"330,000"', "15000", in_days(0)),
            ("GHNWRONG2", "300000", "15000", in_days(0)),
            ("NOSUCHCODE", "100000", "0", in_days(0)),
            ("", "5000", "", ""),
        ]
    )
    status, report = await upload(client, file)
    assert status == 200, report
    assert report["matched"] == 1 and report["already"] == 0
    assert report["collected"] == COD and report["fees"] == 15_000
    assert report["mismatched"] == [
        {
            "tracking_code": "GHNWRONG2",
            "reason": "amount_differs",
            "expected": COD,
            "got": 300_000,
            "line": 3,
            "order_id": wrong.id,
            "code": wrong.code,
        }
    ]
    assert report["unknown"] == [
        {"tracking_code": "NOSUCHCODE", "reason": "unknown_tracking_code", "line": 4},
        {
            "tracking_code": "",
            "reason": "unreadable_row",
            "line": 5,
            "problem": "no_tracking_code",
            "value": "",
        },
    ]
    assert report["missing"] == []
    assert report["carrier"] == "ghn"
    assert report["matched_orders"][0]["order_id"] == right.id

    after = await service.detail(right.id)
    assert after.status == "complete"
    assert after.events[-1].action == "collect_cod"
    assert after.events[-1].source == "api"
    assert after.events[-1].details["statement_id"] == report["statement_id"]
    assert after.events[-1].details["fee"] == 15_000
    assert (await service.detail(wrong.id)).status == "wait_for_cod"

    debt = await get(client, "/api/shippers/debt")
    assert debt["total"] == COD
    [ghn] = debt["shippers"]
    assert ghn["shipper"] == "ghn" and ghn["amount"] == COD
    assert [order["id"] for order in ghn["orders"]] == [wrong.id]
    assert ghn["reconciled"] == COD and ghn["fees"] == 15_000
    assert ghn["last_reconciled_at"]

    settled = [row for row in await ledger(sessions) if row[1] < 0]
    assert settled == [(right.id, -COD, report["statement_id"], 15_000)]


async def test_the_same_file_twice_changes_nothing_the_second_time(client, service, sessions):
    first_order = await delivered(service, "GHN0001")
    second_order = await delivered(service, "GHN0002")
    file = csv_bytes(
        [HEADER, ("GHN0001", COD, 12_000, in_days(0)), ("GHN0002", COD, 12_000, in_days(0))]
    )
    status, first = await upload(client, file)
    assert status == 200 and first["matched"] == 2 and first["collected"] == 2 * COD
    entries, orders = await ledger(sessions), await versions(sessions)

    status, again = await upload(client, file)
    assert status == 200, again
    assert (again["matched"], again["already"]) == (0, 2)
    assert again["collected"] == 0 and again["fees"] == 0
    assert again["mismatched"] == [] and again["unknown"] == [] and again["missing"] == []
    assert {row["order_id"] for row in again["already_orders"]} == {
        first_order.id,
        second_order.id,
    }
    assert await ledger(sessions) == entries
    assert await versions(sessions) == orders

    listed = await get(client, URL)
    assert [s["id"] for s in listed["statements"]] == [
        again["statement_id"],
        first["statement_id"],
    ]
    assert [(s["matched"], s["already"]) for s in listed["statements"]] == [(0, 2), (2, 0)]
    async with sessions() as session:
        digests = set((await session.scalars(select(CodStatement.digest))).all())
    assert len(digests) == 1  # the same file, twice
    assert (await get(client, f"{URL}/{first['statement_id']}"))["matched"] == 2


async def test_an_xlsx_statement_with_a_title_above_its_header(client, service, sessions):
    right = await delivered(service, "GHNX1")
    wrong = await delivered(service, "GHNX2")
    file = xlsx_bytes(
        [
            VIETNAMESE_HEADER,
            ("GHNX1", COD, 11_000, in_days(0)),  # Excel numbers, not text
            ("GHNX2", 1_000, 11_000, in_days(0)),
            ("GHNX9", "250.000 ₫", "", ""),
            ("Tổng cộng", None, None, None),
        ],
        title="BẢNG ĐỐI SOÁT COD - GHN",
    )
    status, report = await upload(client, file, "doi-soat.xlsx")
    assert status == 200, report
    assert report["matched"] == 1 and report["collected"] == COD and report["fees"] == 11_000
    assert [(m["tracking_code"], m["reason"], m["got"]) for m in report["mismatched"]] == [
        ("GHNX2", "amount_differs", 1_000)
    ]
    unknown = {u["tracking_code"]: u for u in report["unknown"]}
    assert unknown["GHNX9"]["reason"] == "unknown_tracking_code"
    assert unknown["Tổng cộng"]["reason"] == "unreadable_row"
    assert unknown["Tổng cộng"]["problem"] == "bad_amount"
    assert (await service.detail(right.id)).status == "complete"
    assert (await service.detail(wrong.id)).status == "wait_for_cod"

    status, again = await upload(client, file, "doi-soat.xlsx")
    assert (again["matched"], again["already"]) == (0, 1)


async def test_vietnamese_headers_with_a_bom_and_semicolons(client, service):
    order = await delivered(service, "GHNVN1")
    file = csv_bytes(
        [
            ("Mã đơn GHN", "Tiền COD (VNĐ)", "Phí dịch vụ", "Ngày thanh toán"),
            ("GHNVN1", "330.000", "16.500", in_days(0) + " 10:30"),
        ],
        separator=";",
        bom=True,
    )
    status, report = await upload(client, file)
    assert status == 200, report
    assert report["matched"] == 1 and report["fees"] == 16_500
    assert (await service.detail(order.id)).status == "complete"


async def test_orders_not_delivered_returned_or_cancelled_are_mismatched(client, service):
    moving = await shipping(service, "GHNMOVE")
    cancelled = await shipping(service, "GHNGONE")
    await reported(service, cancelled, CarrierStatus.CANCELLED, "cancelled")
    returned = await shipping(service, "GHNBACK")
    await reported(service, returned, CarrierStatus.RETURNED, "returned")
    file = csv_bytes(
        [HEADER, ("GHNMOVE", COD, 0, ""), ("GHNGONE", COD, 0, ""), ("GHNBACK", 1, 0, "")]
    )
    status, report = await upload(client, file)
    assert status == 200, report
    assert report["matched"] == 0
    reasons = {
        m["tracking_code"]: (m["reason"], m["expected"], m["got"]) for m in report["mismatched"]
    }
    assert reasons == {
        "GHNMOVE": ("not_delivered", COD, COD),
        "GHNGONE": ("cancelled", 0, COD),
        "GHNBACK": ("returned", 0, 1),
    }
    assert (await service.detail(moving.id)).status == "shipping"


# --- what the statement should have carried ---------------------------------------------------


async def test_missing_lists_the_carrier_s_old_deliveries_the_file_left_out(client, service):
    on_file = await delivered(service, "GHNON1")
    left_out = await delivered(service, "GHNOFF2")
    other_carrier = await delivered(service, "GHTKOFF3", carrier="ghtk")
    # Paid five days from now: everything delivered today is more than three days older.
    file = csv_bytes([HEADER, ("GHNON1", COD, 10_000, in_days(5))])
    status, report = await upload(client, file)
    assert status == 200, report
    assert report["matched"] == 1
    assert [(m["order_id"], m["reason"], m["expected"]) for m in report["missing"]] == [
        (left_out.id, "not_in_statement", COD)
    ]
    assert report["missing"][0]["tracking_code"] == "GHNOFF2"
    assert report["missing"][0]["code"] == left_out.code
    assert other_carrier.id not in {m["order_id"] for m in report["missing"]}
    assert on_file.id not in {m["order_id"] for m in report["missing"]}


async def test_recent_deliveries_are_not_missing(client, service):
    await delivered(service, "GHNA")
    await delivered(service, "GHNB")
    file = csv_bytes([("tracking_code", "cod_amount"), ("GHNA", COD)])  # no dates: upload time
    status, report = await upload(client, file)
    assert status == 200 and report["matched"] == 1 and report["missing"] == []


# --- refusals ----------------------------------------------------------------------------------


async def test_a_file_without_a_header_is_refused_naming_the_columns(client, service, sessions):
    await delivered(service, "GHN1")
    status, body = await upload(client, csv_bytes([("GHN1", COD), ("GHN2", COD)]))
    assert status == 422
    assert body["reason"] == "no_header"
    assert "tracking_code" in body["message"] and "Mã vận đơn" in body["message"]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CodStatement)) == 0


async def test_refusals_are_clear(client):
    cases = [
        (b"", "no_header"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_excel"),
        (b"PK\x03\x04 not really a zip", "not_a_table"),
        (b"tracking_code,cod_amount\nGHN\xe91,330000\n", "not_text"),
        (b"tracking_code,cod_amount\n", "no_rows"),
    ]
    for data, reason in cases:
        status, body = await upload(client, data)
        assert (status, body.get("reason")) == (422, reason), (data[:20], body)
        assert body["error"] == "invalid_input" and body["message"]


async def test_a_file_too_large_is_refused_before_it_is_read_whole(client):
    status, body = await upload(client, b"x" * (MAX_BYTES + 1))
    assert status == 413 and body["reason"] == "too_large"
    assert "5 MB" in body["message"]


async def test_a_body_without_a_file_is_refused(client):
    async with client.post(URL, json={"file": "x"}, headers=AUTH) as response:
        assert response.status == 422
        assert (await response.json())["reason"] == "no_file"
    form = FormData()
    form.add_field("other", "x")
    async with client.post(URL, data=form, headers=AUTH) as response:
        assert response.status == 422
    async with client.post(
        URL,
        data=b"--x\r\nbroken",
        headers={**AUTH, "Content-Type": "multipart/form-data; boundary=x"},
    ) as response:
        assert response.status in (400, 422)


async def test_the_api_needs_its_token(client):
    async with client.get(URL) as response:
        assert response.status == 401


# --- garbage never collects anything -------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["GHNPROP", "ghnprop", "330000", "330.000", "330,000", "-330000", "", "₫"]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)
MESSY = st.one_of(
    st.lists(st.lists(CELLS, max_size=5), max_size=6).map(
        lambda rows: "\n".join(",".join(row) for row in rows)
    ),
    st.lists(st.lists(CELLS, max_size=5), max_size=6).map(
        lambda rows: "tracking_code;cod_amount;fee\n" + "\n".join(";".join(r) for r in rows)
    ),
    st.text(max_size=200),
).map(str.encode) | st.binary(max_size=300)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=MESSY)
async def test_messy_files_get_a_report_or_a_clear_refusal(client, service, data: bytes) -> None:
    """Whatever the bytes, a report or a clear 422; and the one order waiting for its COD
    (GHNPROP, 330,000) is collected only when a row the reader can read says exactly that."""
    if not await _waiting(service, "GHNPROP"):  # an earlier example may have collected it
        await delivered(service, "GHNPROP")
    status, body = await upload(client, data)
    assert status in (200, 422), body
    if status == 422:
        assert body["reason"] and body["message"] and body["error"] == "invalid_input"
        return
    assert {"matched", "already", "mismatched", "unknown", "missing"} <= set(body)
    assert body["matched"] <= 1
    if body["matched"]:
        rows = read_statement(data).rows
        assert any((row.tracking_code.upper(), row.cod_amount) == ("GHNPROP", COD) for row in rows)


async def _waiting(service, tracking: str) -> bool:
    async with service.reading() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.tracking_code == tracking, Order.status == "wait_for_cod")
        )
    return bool(found)


async def test_garbage_never_collects_a_real_order(client, service, sessions):
    order = await delivered(service, "GHNPROP")
    for data in (
        b"tracking_code,cod_amount\nGHNPROP,330.5\nGHNPROP,33O000\n",
        b"tracking_code,cod_amount\nGHNPROP,-330000\n",
        b"tracking_code,cod_amount\nGHNPROP,330000 330000\n",
        b"tracking_code;cod_amount\nGHNPROP;abc\n",
        "tracking_code,cod_amount\nGHNPROP,\u0000330000\n".encode(),
    ):
        status, body = await upload(client, data)
        assert status in (200, 422), body
        if status == 200:
            assert body["matched"] == 0
    assert (await service.detail(order.id)).status == "wait_for_cod"
    assert all(row[1] > 0 for row in await ledger(sessions))
