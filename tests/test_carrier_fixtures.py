"""Every stored carrier webhook sample, posted through the real route at a shop that shipped the
order with that carrier: the order's status, the COD ledger, stock and history after it.

One running shop (SQLite, fake carriers on loopback) serves the whole module, as a shop serves
many parcels; each sample gets an order of its own, shipped by the outbox job at the fake
carrier, so its tracking code is the one the carrier gave. What a report should do is stated
here from the seed's rules, independently of `orders.carrier_updates`:

- in transit, or an alert: nothing moves; the report is in the history and on the card;
- delivered: `wait_for_cod` with the carrier owing the COD (`complete` when prepaid); with the
  carrier's payout signal the COD is collected by itself and the order is `complete`;
- failed or returning: `failed_to_ship`; returned: `returned` with the goods back in stock;
- cancelled: `cancelled`, goods back in stock.

The same rules on PostgreSQL, and the journeys between statuses, are in `test_shipping.py`.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.carrier_shop import CARRIERS, TOTAL, Shop, expected_reports, open_shop

pytestmark = pytest.mark.asyncio(loop_scope="module")

CASES = [
    pytest.param(carrier, name, id=f"{carrier}-{name}")
    for carrier in CARRIERS
    for name in sorted(expected_reports(carrier))
]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    path = tmp_path_factory.mktemp("fixtures") / "chotdon.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shop(database: str) -> AsyncIterator[Shop]:
    async with open_shop(database, stock=10_000) as shop:
        yield shop


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
async def test_a_carrier_report_lands_on_the_order(shop: Shop, carrier: str, name: str) -> None:
    reports = expected_reports(carrier)[name]
    prepaid = all(report["cod_amount"] == 0 for report in reports)
    # Shipped straight from the draft ("Ship immediately"): one request less per sample.
    order = await shop.ship(await shop.create(**({"cod_amount": 0} if prepaid else {})), carrier)
    assert order["cod_amount"] == (0 if prepaid else TOTAL)
    stock_before = await shop.stock()

    await shop.report(carrier, name, order)

    row = await shop.last_inbox_row()
    assert (row.source, row.status, row.last_error) == (f"carrier:{carrier}", "done", None)
    after = await shop.order(order["id"])
    status, actions = what_follows(reports, prepaid=prepaid)
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
    stock_after = await shop.stock()
    assert stock_after["AO-001"] - stock_before["AO-001"] == (2 if restocked else 0)
    assert stock_after["QUAN-002"] - stock_before["QUAN-002"] == (1 if restocked else 0)


@pytest.mark.xfail(
    strict=True,
    reason="not handled: the ledger records the order's whole COD on delivery; the amount the "
    "carrier says it collected (a partial delivery) is only shown in the event's reason",
)
@pytest.mark.parametrize("carrier", ["ghn", "ghtk"])
async def test_a_partial_delivery_owes_what_the_carrier_collected(shop: Shop, carrier: str) -> None:
    [report] = expected_reports(carrier)["delivered_partial_return.json"]
    order = await shop.shipping_order(carrier)

    await shop.report(carrier, "delivered_partial_return.json", order)

    assert (await shop.order(order["id"]))["status"] == "wait_for_cod"
    assert (await shop.owed_by(carrier))[order["id"]] == report["cod_amount"]
