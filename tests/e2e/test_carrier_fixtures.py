"""Every stored carrier webhook sample, posted through the real route at a shop that shipped the
order with that carrier: the order's status, the COD ledger, stock and history after it.

One running shop (SQLite, fake carriers on loopback) serves the whole module, as a shop serves
many parcels. Each sample gets an order of its own, of an item of its own (so its stock can be
read on its own), shipped straight from the draft by the outbox job at the fake carrier, so its
tracking code is the one the carrier gave. The orders are shipped and the samples posted all at
once, as a busy shop receives them; each test then reads what became of its sample. What a
report should do is stated here from the seed's rules, independently of
`orders.carrier_updates`:

- in transit, or an alert: nothing moves; the report is in the history and on the card;
- delivered: `wait_for_cod` with the carrier owing the COD (`complete` when prepaid); with the
  carrier's payout signal the COD is collected by itself and the order is `complete`;
- failed or returning: `failed_to_ship`; returned: `returned` with the goods back in stock;
- cancelled: `cancelled`, goods back in stock.

The same rules on PostgreSQL, and the journeys between statuses, are in `test_shipping.py`.
"""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from chotdon.runtime import RUNTIME
from kernel.inbox.tables import InboxMessage
from orders.catalog import ItemRow, import_items
from orders.outbox import CARRIER_CREATE_SHIPMENT
from tests.carrier_shop import CARRIERS, TOTAL, Shop, expected_reports, fixture, open_shop
from tests.helpers import eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

SAMPLES = [(carrier, name) for carrier in CARRIERS for name in sorted(expected_reports(carrier))]
CASES = [pytest.param(carrier, name, id=f"{carrier}-{name}") for carrier, name in SAMPLES]
STOCK = 100  # of each sample's own item; its order takes 2
PRICE = 310_000  # 2 x 310,000 + 30,000 shipping = 650,000, the COD the samples report


@dataclass(frozen=True)
class Landed:
    shipped: dict[str, Any]  # the order as the carrier accepted it, before the report
    sku: str
    row: InboxMessage  # where the report was stored, and how processing ended


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    path = tmp_path_factory.mktemp("fixtures") / "chotdon.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shop(database: str) -> AsyncIterator[Shop]:
    async with open_shop(database, stock=10_000) as shop:
        yield shop


def prepaid(carrier: str, name: str) -> bool:
    """A sample that reports no COD is about a prepaid order."""
    return all(report["cod_amount"] == 0 for report in expected_reports(carrier)[name])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def landed(shop: Shop) -> dict[tuple[str, str], Landed]:
    skus = [f"FX-{n:03d}" for n in range(len(SAMPLES))]
    async with shop.app[RUNTIME].sessions.begin() as session:
        rows = [ItemRow(sku, f"Mẫu {sku}", PRICE, STOCK, 300, sku) for sku in skus]
        await import_items(session, rows)
    at_once = asyncio.Semaphore(16)

    async def ship(sample: tuple[str, str], sku: str) -> int:
        async with at_once:
            cod = {"cod_amount": 0} if prepaid(*sample) else {}
            draft = await shop.create(lines=[{"sku": sku, "quantity": 2}], **cod)
            await shop.act(draft, "ship", carrier=sample[0])
            return draft["id"]

    ids = await asyncio.gather(*(ship(s, sku) for s, sku in zip(SAMPLES, skus, strict=True)))

    async def all_answered() -> bool:
        jobs = await shop.jobs(CARRIER_CREATE_SHIPMENT)
        if dead := [job for job in jobs if job.status == "dead"]:
            pytest.fail(f"a carrier refused a sample's order: {dead[0].last_error}")
        return len(jobs) == len(SAMPLES) and all(job.status == "done" for job in jobs)

    await eventually(all_answered, "every sample's order accepted by its carrier")
    shipped = await asyncio.gather(*(shop.order(order_id) for order_id in ids))
    assert {order["status"] for order in shipped} == {"shipping"}

    async def post(sample: tuple[str, str], order: dict[str, Any]) -> bytes:
        body, content_type = fixture(*sample, order)
        async with at_once:
            assert await shop.webhook(sample[0], body, content_type) == (200, {"status": "stored"})
        return body

    bodies = await asyncio.gather(*(post(s, o) for s, o in zip(SAMPLES, shipped, strict=True)))
    stored = {row.body: row for row in await shop.settled(len(SAMPLES))}
    return {
        sample: Landed(order, sku, stored[body])
        for sample, order, sku, body in zip(SAMPLES, shipped, skus, bodies, strict=True)
    }


def what_follows(reports: list[dict[str, Any]], *, prepaid: bool) -> tuple[str, list[str]]:
    """The order's status after `reports` reach a shipping order, and the carrier's actions."""
    status, actions = "shipping", []
    for report in reports:
        mapped = report["status"]
        if status == "shipping" and mapped == "delivered":
            status = "complete" if prepaid else "wait_for_cod"
            actions.append("complete")
        elif status == "shipping" and mapped in ("failed", "returning"):
            status = "failed_to_ship"
            actions.append("failed")
        elif status in ("shipping", "failed_to_ship") and mapped == "returned":
            actions += ["failed", "return"] if status == "shipping" else ["return"]
            status = "returned"
        elif status == "shipping" and mapped == "cancelled":
            status = "cancelled"
            actions.append("cancel")
        if status == "wait_for_cod" and report["cod_transferred"]:
            status = "complete"
            actions.append("collect_cod")
    return status, actions


@pytest.mark.parametrize(("carrier", "name"), CASES)
async def test_a_carrier_report_lands_on_the_order(
    shop: Shop, landed: dict[tuple[str, str], Landed], carrier: str, name: str
) -> None:
    reports = expected_reports(carrier)[name]
    case = landed[(carrier, name)]
    order = case.shipped
    assert order["cod_amount"] == (0 if prepaid(carrier, name) else TOTAL)

    row = case.row
    assert (row.source, row.status, row.last_error) == (f"carrier:{carrier}", "done", None)
    after = await shop.order(order["id"])
    status, actions = what_follows(reports, prepaid=prepaid(carrier, name))
    assert after["status"] == status
    news = after["events"][len(order["events"]) :]
    assert all((e["source"], e["actor"]) == ("carrier", carrier) for e in news)
    applied = [e["action"] for e in news if e["action"] != "carrier_status"]
    assert Counter(applied) == Counter(actions)
    recorded = [e for e in news if e["action"] == "carrier_status"]
    if not actions:  # nothing moved: the report is in the history, the order as it was
        assert after["version"] == order["version"]
        assert {e["details"]["raw_status"] for e in recorded} == {r["raw_status"] for r in reports}
        assert all(e["details"]["not_applied"] for e in recorded)
    else:
        first = next(e for e in news if e["action"] == actions[0])
        assert first["details"]["reason"].startswith(tuple(r["raw_status"] for r in reports)), first
    if len(reports) == 1:
        assert after["shipper"]["carrier_status"] == reports[0]["status"]
    assert after["shipper"]["tracking_code"] == order["shipper"]["tracking_code"]

    owed = await shop.owed_by(carrier)
    if "partial" in name:  # see test_a_partial_delivery_owes_what_the_carrier_collected
        assert "partial delivery" in news[0]["details"]["reason"]
        assert owed.get(order["id"])
    else:
        assert owed.get(order["id"]) == (TOTAL if status == "wait_for_cod" else None)

    restocked = status in ("returned", "cancelled")
    assert (await shop.stock())[case.sku] == (STOCK if restocked else STOCK - 2)


@pytest.mark.parametrize("carrier", ["ghn", "ghtk"])
async def test_a_partial_delivery_owes_what_the_carrier_collected(shop: Shop, carrier: str) -> None:
    [report] = expected_reports(carrier)["delivered_partial_return.json"]
    order = await shop.shipping_order(carrier)

    await shop.report(carrier, "delivered_partial_return.json", order)

    assert (await shop.order(order["id"]))["status"] == "wait_for_cod"
    assert (await shop.owed_by(carrier))[order["id"]] == report["cod_amount"]
