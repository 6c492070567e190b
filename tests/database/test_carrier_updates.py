"""Carrier status reports: applied once, never backwards, only recorded after a manual change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kernel.outbox.jobs import OutboxJob
from orders.carrier_updates import CarrierReport, CarrierStatus, Outcome
from orders.shipments import Accepted
from orders.tables import CarrierUpdate, Item
from orders.transitions import ShipWith
from tests.factories import STAFF, order_in, seed_items

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


async def shipped_with_ghn(sessions, service, tracking: str = "GHN123") -> dict:
    order = await order_in(service, "waiting_for_shipping")
    order = await service.act(
        order.id, "ship", actor=STAFF, version=order.version, ship_with=ShipWith("ghn")
    )
    assert order.status == "waiting_for_shipping"  # until GHN says yes
    return await service.shipment_accepted(order.id, "ghn", Accepted(tracking, 22_000))


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
    after = await service.detail(order.id)
    assert after.status == "wait_for_cod"
    assert after.events[-1].source == "carrier" and after.events[-1].actor == "ghn"
    (debt,) = await service.debts()
    assert (debt.shipper, debt.amount) == ("ghn", 330_000)


async def test_the_same_report_twice_is_applied_once(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    first = await service.carrier_status(report(CarrierStatus.DELIVERED, 30))
    again = await service.carrier_status(report(CarrierStatus.DELIVERED, 30))
    assert (first, again) == (Outcome.APPLIED, Outcome.DUPLICATE)
    after = await service.detail(order.id)
    assert [e.action for e in after.events].count("complete") == 1
    assert (await service.debts())[0].amount == 330_000


async def test_an_older_report_arriving_late_does_not_move_back(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    await service.carrier_status(report(CarrierStatus.FAILED, 40, "delivery_fail"))
    late = await service.carrier_status(report(CarrierStatus.IN_TRANSIT, 10, "delivering"))
    assert late is Outcome.RECORDED
    after = await service.detail(order.id)
    assert after.status == "failed_to_ship"
    assert after.events[-1].details["not_applied"] == "older report"


async def test_returned_walks_through_failed_and_puts_stock_back(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    await service.carrier_status(report(CarrierStatus.RETURNED, 90, "returned"))
    after = await service.detail(order.id)
    assert after.status == "returned"
    assert [e.to_status for e in after.events[-2:]] == ["failed_to_ship", "returned"]
    async with sessions() as session:
        assert await session.scalar(select(Item.stock).where(Item.sku == "AO-001")) == 100


async def test_after_a_manual_change_reports_are_only_recorded(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    order = await service.act(order.id, "failed", actor=STAFF, version=order.version)
    assert order.manual_override is True
    outcome = await service.carrier_status(report(CarrierStatus.RETURNED, 50))
    assert outcome is Outcome.RECORDED
    after = await service.detail(order.id)
    assert after.status == "failed_to_ship"
    assert after.events[-1].details["not_applied"] == "manual override"
    async with sessions() as session:
        kept = await session.scalar(select(CarrierUpdate).where(CarrierUpdate.order_id == order.id))
    assert kept.raw_status == "returned"


async def test_an_individual_shipper_order_is_not_overridden(sessions, service):
    await seed_items(sessions)
    order = await order_in(service, "failed_to_ship")
    assert order.manual_override is False


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
        report(CarrierStatus.CANCELLED, 5, tracking_code=None, order_code=order.code)
    )
    assert outcome is Outcome.APPLIED
    assert (await service.detail(order.id)).status == "cancelled"


async def test_an_alert_status_changes_nothing_but_is_in_the_history(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    outcome = await service.carrier_status(report(CarrierStatus.ALERT, 5, "damage"))
    assert outcome is Outcome.RECORDED
    after = await service.detail(order.id)
    assert after.status == "shipping"
    assert after.events[-1].details["raw_status"] == "damage"


async def test_an_alert_reaches_the_card_without_a_new_version(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    await service.carrier_status(report(CarrierStatus.ALERT, 5, "damage", reason="Hàng vỡ"))
    after = await service.detail(order.id)
    assert after.version == order.version
    assert after.events[-1].details["reason"] == "Hàng vỡ"
    async with sessions() as session:
        keys = (await session.scalars(select(OutboxJob.idempotency_key))).all()
    assert any(key.endswith(":ghn:GHN123:damage:5") for key in keys)


async def test_the_carriers_payout_collects_the_cod_by_itself(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    await service.carrier_status(report(CarrierStatus.DELIVERED, 30))
    paid = report(CarrierStatus.DELIVERED, 60, "delivered", cod_transferred=True)
    assert await service.carrier_status(paid) is Outcome.APPLIED
    after = await service.detail(order.id)
    assert after.status == "complete"
    assert after.events[-1].action == "collect_cod"
    assert after.events[-1].actor == "ghn"
    assert await service.debts() == []


async def test_delivered_and_paid_out_in_one_report_completes_the_order(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    both = report(CarrierStatus.DELIVERED, 30, cod_transferred=True)
    assert await service.carrier_status(both) is Outcome.APPLIED
    after = await service.detail(order.id)
    assert [e.to_status for e in after.events[-2:]] == ["wait_for_cod", "complete"]
    assert await service.debts() == []


async def test_a_payout_is_applied_even_after_staff_completed_by_hand(sessions, service):
    await seed_items(sessions)
    order = await shipped_with_ghn(sessions, service)
    order = await service.act(order.id, "complete", actor=STAFF, version=order.version)
    assert order.manual_override and order.status == "wait_for_cod"
    paid = report(CarrierStatus.DELIVERED, 60, cod_transferred=True)
    await service.carrier_status(paid)
    assert (await service.detail(order.id)).status == "complete"
