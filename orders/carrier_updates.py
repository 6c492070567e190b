"""Carrier status reports move orders on by themselves, within the seed's rules.

A report is applied at most once (its dedupe key), never moves an order backwards or against
an older report, and only records when staff have taken the order over by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox.jobs import Job, enqueue
from orders.actors import Actor
from orders.effects import order_changed
from orders.lifecycle import Action, Status
from orders.locking import lock_order
from orders.tables import CarrierUpdate, Order, OrderEvent
from orders.transitions import apply_action


class CarrierStatus(StrEnum):
    """A carrier's many codes, mapped to what matters to the order (see each carrier's table)."""

    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    ALERT = "alert"  # understood but changes nothing, or not understood: staff should look


class Outcome(StrEnum):
    APPLIED = "applied"  # the order moved
    RECORDED = "recorded"  # kept in the history, order unchanged
    DUPLICATE = "duplicate"  # seen before, ignored
    UNKNOWN_ORDER = "unknown_order"  # no order has this tracking or order code


@dataclass(frozen=True)
class CarrierReport:
    carrier: str
    dedupe_key: str
    status: CarrierStatus
    raw_status: str
    at: datetime
    tracking_code: str | None = None
    order_code: str | None = None
    cod_amount: int | None = None
    cod_transferred: bool = False  # the carrier paid the collected COD out to the shop
    reason: str = ""  # the carrier's words, for staff


# From each status the carrier may take an order along these actions, in order. Anything not
# listed (e.g. "in transit" after "failed", or anything after complete) would move it back.
_PATHS: dict[Status, dict[CarrierStatus, tuple[Action, ...]]] = {
    Status.SHIPPING: {
        CarrierStatus.DELIVERED: (Action.COMPLETE,),
        CarrierStatus.FAILED: (Action.FAILED,),
        CarrierStatus.RETURNING: (Action.FAILED,),
        CarrierStatus.RETURNED: (Action.FAILED, Action.RETURN),
        CarrierStatus.CANCELLED: (Action.CANCEL,),
    },
    Status.FAILED_TO_SHIP: {CarrierStatus.RETURNED: (Action.RETURN,)},
}


def carrier_path(status: Status, reported: CarrierStatus) -> tuple[Action, ...]:
    """The actions a report leads to from `status`; empty means record only."""
    return _PATHS.get(status, {}).get(reported, ())


async def _find_order(session: AsyncSession, report: CarrierReport) -> Order | None:
    if report.tracking_code:
        order_id = await session.scalar(
            select(Order.id).where(
                Order.tracking_code == report.tracking_code, Order.shipper_kind == report.carrier
            )
        )
        if order_id is not None:
            return await lock_order(session, order_id)
    if report.order_code:
        # Only an order this carrier ships: one sent with another carrier since (after this
        # one refused or never answered) must not follow a stray parcel's reports.
        order_id = await session.scalar(
            select(Order.id).where(
                Order.code == report.order_code, Order.shipper_kind == report.carrier
            )
        )
        if order_id is not None:
            return await lock_order(session, order_id)
    return None


async def _first_sighting(session: AsyncSession, row: CarrierUpdate) -> bool:
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


async def apply_carrier_status(session: AsyncSession, report: CarrierReport) -> Outcome:
    """Record `report` once and move its order if the seed's rules allow; the caller commits."""
    order = await _find_order(session, report)
    row = CarrierUpdate(
        carrier=report.carrier,
        dedupe_key=report.dedupe_key,
        order_id=order.id if order else None,
        tracking_code=report.tracking_code,
        raw_status=report.raw_status,
        mapped_status=report.status.value,
        outcome=Outcome.RECORDED.value,
        at=report.at,
    )
    if not await _first_sighting(session, row):
        return Outcome.DUPLICATE
    if order is None:
        row.outcome = Outcome.UNKNOWN_ORDER.value
        return Outcome.UNKNOWN_ORDER

    status = Status(order.status)
    stale = order.carrier_status_at is not None and report.at < order.carrier_status_at
    path = () if stale or order.manual_override else carrier_path(status, report.status)
    if not stale:
        order.carrier_status = report.status.value
        order.carrier_status_at = report.at
    if not path and not _pays_out(report, status):
        why = "older report" if stale else "manual override" if order.manual_override else ""
        await _record(session, order, report, why or "no move from this status")
        return Outcome.RECORDED
    actor = Actor.carrier(report.carrier)
    for action in path:
        await apply_action(
            session,
            order.id,
            action,
            actor=actor,
            collected=report.cod_amount if action is Action.COMPLETE else None,
            reason=_reason(report),
        )
    if _pays_out(report, Status(order.status)):
        # Money, not a delivery status: settled even after staff took the order over by hand.
        await apply_action(
            session, order.id, Action.COLLECT_COD, actor=actor, reason="COD paid out by carrier"
        )
    row.outcome = Outcome.APPLIED.value
    return Outcome.APPLIED


def _pays_out(report: CarrierReport, status: Status) -> bool:
    return report.cod_transferred and status is Status.WAIT_FOR_COD


def _reason(report: CarrierReport) -> str:
    return f"{report.raw_status}: {report.reason}" if report.reason else report.raw_status


async def _record(session: AsyncSession, order: Order, report: CarrierReport, why: str) -> None:
    """Kept in the history and shown on the card (an alert status, a report staff overrode),
    without a new version: the order itself did not change."""
    details: dict[str, object] = {
        "raw_status": report.raw_status,
        "status": report.status.value,
        "not_applied": why,
    }
    if report.reason:
        details["reason"] = report.reason
    status = order.status
    session.add(
        OrderEvent(
            order_id=order.id,
            actor=report.carrier,
            source="carrier",
            action="carrier_status",
            from_status=status,
            to_status=status,
            details=details,
        )
    )
    changed = order_changed(order, "carrier_status")
    key = f"{changed.key}:{report.carrier}:{report.dedupe_key}"
    await enqueue(session, Job(changed.kind, key[:255], changed.payload))
