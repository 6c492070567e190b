"""Carrier status reports: applied once, never backwards, only recorded after a manual change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from orders.carrier_updates import CarrierReport, CarrierStatus, Outcome
from orders.tables import CarrierUpdate, Item, Order
from orders.transitions import ShipWith
from tests.factories import STAFF, order_in, seed_items

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


async def shipped_with_ghn(sessions, service, tracking: str = "GHN123") -> dict:
    order = await order_in(service, "waiting_for_shipping")
    order = await service.act(
        order["id"], "ship", actor=STAFF, version=order["version"], ship_with=ShipWith("ghn")
    )
    # The carrier's answer (issue 5) fills the tracking code; here we set it as it would.
    async with sessions.begin() as session:
        (await session.get(Order, order["id"])).tracking_code = tracking
    return order


def report(status: CarrierStatus, minutes: int, raw: str | None = None, **kw) -> CarrierReport:
    raw = raw or status.value
    return CarrierReport(
        carrier="ghn",
        dedupe_key=f"GHN123:{raw}:{minutes}",
        status=status,
        raw_status=raw,
        at=T0 + timedelta(minutes=minutes),
        tracking_code=kw.pop("tracking_code", "GHN123"),
        **kw,
    )


async def test_delivered_moves_a_cod_order_to_wait_for_cod(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    assert await service.carrier_status(report(CarrierStatus.DELIVERED, 30)) is Outcome.APPLIED
    after = await service.detail(order["id"])
    assert after["status"] == "wait_for_cod"
    assert after["events"][-1]["source"] == "carrier" and after["events"][-1]["actor"] == "ghn"
    (debt,) = await service.debts()
    assert (debt.shipper, debt.amount) == ("ghn", 330_000)


async def test_the_same_report_twice_is_applied_once(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    first = await service.carrier_status(report(CarrierStatus.DELIVERED, 30))
    again = await service.carrier_status(report(CarrierStatus.DELIVERED, 30))
    assert (first, again) == (Outcome.APPLIED, Outcome.DUPLICATE)
    after = await service.detail(order["id"])
    assert [e["action"] for e in after["events"]].count("complete") == 1
    assert (await service.debts())[0].amount == 330_000


async def test_an_older_report_arriving_late_does_not_move_back(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    await service.carrier_status(report(CarrierStatus.FAILED, 40, "delivery_fail"))
    late = await service.carrier_status(report(CarrierStatus.IN_TRANSIT, 10, "delivering"))
    assert late is Outcome.RECORDED
    after = await service.detail(order["id"])
    assert after["status"] == "failed_to_ship"
    assert after["events"][-1]["details"]["not_applied"] == "older report"


async def test_returned_walks_through_failed_and_puts_stock_back(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    await service.carrier_status(report(CarrierStatus.RETURNED, 90, "returned"))
    after = await service.detail(order["id"])
    assert after["status"] == "returned"
    assert [e["to_status"] for e in after["events"][-2:]] == ["failed_to_ship", "returned"]
    async with sessions() as session:
        assert await session.scalar(select(Item.stock).where(Item.sku == "AO-001")) == 100


async def test_after_a_manual_change_reports_are_only_recorded(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    order = await service.act(order["id"], "failed", actor=STAFF, version=order["version"])
    assert order["manual_override"] is True
    outcome = await service.carrier_status(report(CarrierStatus.RETURNED, 50))
    assert outcome is Outcome.RECORDED
    after = await service.detail(order["id"])
    assert after["status"] == "failed_to_ship"
    assert after["events"][-1]["details"]["not_applied"] == "manual override"
    async with sessions() as session:
        kept = await session.scalar(
            select(CarrierUpdate).where(CarrierUpdate.order_id == order["id"])
        )
    assert kept.raw_status == "returned"


async def test_an_individual_shipper_order_is_not_overridden(sessions, service):
    await seed_items(sessions)
    order = await order_in(service, "failed_to_ship")
    assert order["manual_override"] is False


async def test_a_report_for_no_known_order_is_kept(sessions, service):
    await seed_items(sessions)
    outcome = await service.carrier_status(
        report(CarrierStatus.DELIVERED, 5, tracking_code="NOPE", order_code="DH999999")
    )
    assert outcome is Outcome.UNKNOWN_ORDER
    async with sessions() as session:
        kept = await session.scalar(
            select(CarrierUpdate).where(CarrierUpdate.tracking_code == "NOPE")
        )
    assert kept.outcome == "unknown_order"


async def test_a_report_matched_by_our_order_code(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    outcome = await service.carrier_status(
        report(CarrierStatus.CANCELLED, 5, tracking_code=None, order_code=order["code"])
    )
    assert outcome is Outcome.APPLIED
    assert (await service.detail(order["id"]))["status"] == "cancelled"


async def test_an_alert_status_changes_nothing_but_is_in_the_history(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    outcome = await service.carrier_status(report(CarrierStatus.ALERT, 5, "damage"))
    assert outcome is Outcome.RECORDED
    after = await service.detail(order["id"])
    assert after["status"] == "shipping"
    assert after["events"][-1]["details"]["raw_status"] == "damage"
